/**
 * What the signed-in key may do, as GET /v1/me says (the API's own rights table): the console
 * offers only those controls. The API checks every request all the same.
 */
import type { Me } from './types';

export type Right = 'integrations.write' | 'apiKeys.manage' | 'channels.manage' | 'events.read' | 'scrubbing.read' | 'workspace.read' | 'integrations.read';

export function can(me: Me, right: Right): boolean {
  return me.rights.includes(right);
}
