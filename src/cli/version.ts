declare const __TOOLBOX_VERSION__: string | undefined;

/** Set by the bundler from package.json. */
export const VERSION: string = typeof __TOOLBOX_VERSION__ === 'string' ? __TOOLBOX_VERSION__ : '0.0.0-dev';
