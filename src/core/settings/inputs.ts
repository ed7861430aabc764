// What settings are made from: the flags as typed, and the layers under them (the environment,
// config.json and toolboxrc). Types only, so settings.ts and requested.ts both read them without
// importing each other.

export interface GlobalFlags {
  container?: string | undefined;
  tag?: string | undefined;
  image?: string | undefined;
  reg?: string | undefined;
  img?: string | undefined;
  user?: boolean | undefined;
  root?: boolean | undefined;
  nostop?: boolean | undefined;
  noPull?: boolean | undefined;
  sandbox?: boolean | undefined;
  runtime?: string | undefined;
  podmanArgs?: string[] | undefined;
  engine?: string | undefined;
  exec?: string | undefined;
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
}

export type RcKey = 'REGISTRY' | 'IMAGE' | 'TOOLBOX_NAME' | 'TOOLBOX_SHELL';

export interface Layers {
  rc: Partial<Record<RcKey, string>>;
  /** the toolboxrc file each rc value came from, for errors */
  rcSources?: Partial<Record<RcKey, string>>;
  config: Record<string, unknown>;
  /** config.json's path, for errors */
  configFile?: string;
  env: NodeJS.ProcessEnv;
  userName: string;
}
