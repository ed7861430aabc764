// Every subcommand name, from the grammar. The hot path must never mistake one for a command to
// run inside a toolbox; a command added to the grammar is in this set without another edit.
import { subcommandNames } from './grammar.js';

export const SUBCOMMANDS: ReadonlySet<string> = subcommandNames();
