# Mutation score of a Stryker report (mutation-report.json), per file and in all:
#   jq -r -f tests/stryker/score.jq mutation-report.json
# With --arg without REGEX, the score as if the tests whose names match REGEX did not exist (a mutant they alone
# kill survives; one they alone cover has no coverage). The configs disable bail, so killedBy lists every test
# that fails on a mutant; a timeout is kept as a timeout when another test covers the mutant.
(.testFiles // {} | [.[].tests[]] | map({(.id): .name}) | add // {}) as $names
| ($ARGS.named.without // "") as $without
| def gone: $without != "" and (($names[.] // .) | test($without));
  def status:
    if $without == "" or (.status | IN("Killed", "Survived", "Timeout", "NoCoverage") | not) then .status
    else ([.coveredBy[]? | select(gone | not)] | length) as $covered
    | ([.killedBy[]? | select(gone | not)] | length) as $killed
    | if .status == "NoCoverage" then "NoCoverage"
      elif $killed > 0 then "Killed"
      elif $covered == 0 then "NoCoverage"
      elif .status == "Timeout" then "Timeout"
      else "Survived" end
    end;
  def row($name; $mutants):
    ($mutants | map(status)) as $s
    | ($s | map(select(. == "Killed")) | length) as $k
    | ($s | map(select(. == "Survived")) | length) as $v
    | ($s | map(select(. == "Timeout")) | length) as $o
    | ($s | map(select(. == "NoCoverage")) | length) as $n
    | ($k + $v + $o + $n) as $all
    | "\($name)\t\($all) mutants\t\($k) killed\t\($v) survived\t\($o) timeout\t\($n) no coverage\tscore \(if $all > 0 then (($k + $o) * 1000 / $all | round / 10) else "n/a" end)%";
  (.files | to_entries[] | select([.value.mutants[] | select(.status | IN("Killed", "Survived", "Timeout", "NoCoverage"))] | length > 0)
   | row(.key | sub(".*/src/"; ""); .value.mutants)),
  row("all"; [.files[].mutants[]])
