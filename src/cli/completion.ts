import { Argument } from 'commander';
import type { Command } from 'commander';
import { addExamples } from './examples.ts';

/**
 * Scripts for the `kubectl-netpath` command itself. `kubectl netpath <TAB>` needs none of them:
 * kubectl (>= 1.26) runs kubectl_complete-netpath (installed next to kubectl-netpath) itself.
 * Each asks `kubectl-netpath __complete WORDS... CURRENT` and reads Cobra's answer: candidates
 * (`value<TAB>description`), then `:DIRECTIVE` (1 error, 2 no space, 4 no file completion).
 */
export const COMPLETION_SCRIPTS: Record<'bash' | 'zsh' | 'fish', string> = {
  bash: `# bash completion for kubectl-netpath; load with: source <(kubectl-netpath completion bash)
_kubectl_netpath() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out directive line
  local -a cands=()
  out=$(kubectl-netpath __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null) || return
  directive=\${out##*:}
  (( directive & 1 )) && return
  while IFS= read -r line; do
    [[ $line == :* || -z $line ]] && continue
    cands+=("\${line%%$'\\t'*}")
  done <<< "$out"
  COMPREPLY=("\${cands[@]}")
  (( directive & 2 )) && compopt -o nospace
  if (( \${#COMPREPLY[@]} == 0 && (directive & 4) == 0 )); then
    compopt -o default
  fi
}
complete -F _kubectl_netpath kubectl-netpath
`,
  zsh: `#compdef kubectl-netpath
# zsh completion for kubectl-netpath; load with: source <(kubectl-netpath completion zsh)
_kubectl_netpath() {
  local out directive line
  local -a lines cands
  out=$(kubectl-netpath __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  directive=\${lines[-1]#:}
  (( directive & 1 )) && return 1
  for line in "\${(@)lines[1,-2]}"; do
    local value=\${line%%$'\\t'*} desc=\${line#*$'\\t'}
    [[ $desc == $line ]] && desc=''
    cands+=("\${value//:/\\\\:}:$desc")
  done
  if (( \${#cands} && directive & 2 )); then
    _describe 'kubectl-netpath' cands -S ''
  elif (( \${#cands} )); then
    _describe 'kubectl-netpath' cands
  elif (( (directive & 4) == 0 )); then
    _files
  fi
}
compdef _kubectl_netpath kubectl-netpath
`,
  fish: `# fish completion for kubectl-netpath; load with: kubectl-netpath completion fish | source
function __kubectl_netpath_complete
    set -l args (commandline -opc)[2..-1] (commandline -ct)
    set -l out (kubectl-netpath __complete $args 2>/dev/null)
    or return
    for line in $out[1..-2]
        echo $line
    end
end
complete -c kubectl-netpath -f -a '(__kubectl_netpath_complete)'
`,
};

export function register(program: Command): void {
  const cmd = program
    .command('completion')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .description('print a shell completion script for kubectl-netpath (kubectl netpath <TAB> works through kubectl_complete-netpath)');
  cmd.addHelpText(
    'after',
    `
For \`kubectl netpath <TAB>\`, kubectl >= 1.26 with its own completion loaded
(\`source <(kubectl completion bash)\`) runs kubectl_complete-netpath from PATH; npm installs it
beside kubectl-netpath. These scripts complete the kubectl-netpath command itself.`,
  );
  addExamples(cmd, [
    'source <(kubectl netpath completion bash)          # in ~/.bashrc',
    'kubectl netpath completion zsh > "${fpath[1]}/_kubectl-netpath"',
    'kubectl netpath completion fish > ~/.config/fish/completions/kubectl-netpath.fish',
  ]);
  cmd.action((shell: keyof typeof COMPLETION_SCRIPTS) => {
    process.stdout.write(COMPLETION_SCRIPTS[shell]);
  });
}
