// A toolbox is what it was created as. Options that define one (mode, image, sandbox), when the
// user gave them explicitly, must match the existing toolbox; otherwise the command would run
// somewhere other than asked (e.g. fully privileged despite -S). Defaults are no request.
import { ToolboxError } from '../errors.js';
import type { BoxRecord } from '../ports.js';
import type { Settings } from '../settings/settings.js';

export function refuseConflict(settings: Settings, created: BoxRecord['created']): void {
  if (!created) return; // made before toolbox recorded its spec: nothing to compare
  const { requested, name } = settings;
  const fix = `use another name (-c NEW) for a new toolbox as asked, or remove this one first: toolbox rm --force ${name}`;
  if (requested.mode !== undefined && requested.mode !== created.mode) {
    throw new ToolboxError(`toolbox ${name} is a ${created.mode} toolbox, not a ${requested.mode} one as asked`, {
      hint: fix,
    });
  }
  if (requested.sandbox === true && !created.sandbox) {
    throw new ToolboxError(`toolbox ${name} is not sandboxed (it was created without -S), but -S asks for a sandbox`, {
      hint: fix,
    });
  }
  if (requested.image !== undefined && requested.image !== created.image) {
    throw new ToolboxError(`toolbox ${name} was created from ${created.image}, not from ${requested.image} as asked`, {
      hint: `${fix}; 'toolbox upgrade ${name}' rebuilds it from its own image`,
    });
  }
}
