# bash completion for dialsim (installed as share/bash-completion/completions/dialsim)
_dialsim() {
  local cur prev words cword
  _init_completion 2>/dev/null || { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; cword=$COMP_CWORD; words=("${COMP_WORDS[@]}"); }
  local cmds="run check-recording conform serve repro explain init reasons version help"
  if [ "$cword" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$cmds" -- "$cur")); return
  fi
  local cmd=${words[1]} opts=""
  case $prev in
    --junit|--report|-o|--output|--config|--db|--cacert) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --scenarios) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
  esac
  case $cmd in
    run) opts="--jobs --junit --report --shard --verbose --timing --format --help" ;;
    check-recording) opts="--expect-format --expect-encoding --expect-rate --expect-channels --expect-duration --tolerance --expect-min-active --expect-max-silence --expect-max-dead-air --expect-max-clipping --expect-min-level --expect-max-level --json --help" ;;
    conform)
      if [ "$cword" -eq 2 ]; then COMPREPLY=($(compgen -W "trigger outbound-connection transcripts" -- "$cur")); return; fi
      opts="--header --from --to --cacert --concurrency --junit --report --warn-after --timeout --config --format --listen --host --api-key --count --max-body --help" ;;
    serve) opts="--config --db --port --host --threads --mock-port --mock-threads --admin-token --quiet --help" ;;
    repro) opts="--output --verbose --format --help" ;;
    explain)
      opts="--scenarios --format --help"
      if [[ $cur != -* ]]; then
        COMPREPLY=($(compgen -W "$(dialsim reasons 2>/dev/null | awk '{print $1}')" -- "$cur") $(compgen -f -- "$cur")); return
      fi ;;
    *) opts="--help" ;;
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -F _dialsim dialsim
