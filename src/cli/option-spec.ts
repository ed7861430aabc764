// One option of the grammar, as data. Its own file, so that the global options (global-options.ts)
// and the grammar (grammar.ts) can both use it without importing each other.
export interface OptionSpec {
  short?: string;
  /** "--recommends"; a "--no-" option is the negation of the one without (commander's rule) */
  long: string;
  /** the value's placeholder; none for a switch */
  value?: string;
  /** the only values commander accepts */
  choices?: readonly string[];
  /** each use adds to the value, as a list; any other valued option holds one value */
  repeatable?: boolean;
  description: string;
}
