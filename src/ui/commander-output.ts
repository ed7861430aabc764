// How both programs' commander trees speak: no exit of commander's own (the error boundary in
// error-boundary.ts decides the code), usage text through the boundary's stderr writer, and a
// suggestion for a mistyped command.
import type { Command } from 'commander';

export function speakThroughBoundary(program: Command, writeErr: (text: string) => void): Command {
  return program
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr,
      outputError: (text) => {
        writeErr(text);
      },
    });
}
