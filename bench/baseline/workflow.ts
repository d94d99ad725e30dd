/**
 * The bare baseline workflow: the least Temporal needs to divert. Started by
 * signal-with-start; each signal runs one activity making the same PATCH to the
 * simulated Cloudflare API as our adapter, with the same retry policy. No decision
 * module, no state, no search attributes, no audit, no database. Bundled on its own.
 */
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BaselineActivities } from './activity';
import { baselineAdvertiseSignal, type BaselinePrefix } from './messages';

const { advertisePrefix } = proxyActivities<BaselineActivities>({
  startToCloseTimeout: '60 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 20 },
});

export async function bareDivert(prefix: BaselinePrefix): Promise<void> {
  const wanted: boolean[] = [];
  setHandler(baselineAdvertiseSignal, (advertised) => {
    wanted.push(advertised);
  });
  for (;;) {
    await condition(() => wanted.length > 0);
    await advertisePrefix(prefix, wanted.shift() as boolean);
  }
}
