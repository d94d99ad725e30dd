/**
 * How a run learns its configuration: the API announces a version (`configPublished`, a few
 * bytes) and the run reads it with a local activity, getting back only the integrations whose
 * fingerprint differs from what it has. A run started without a configuration reads it first.
 */
import * as wf from '@temporalio/workflow';
import { LOAD_CONFIG_ACTIVITY, type ConfigDelta } from './activity-names';
import { messageOf } from './executor';
import type { WorkspaceConfig } from './messages';
import type { ActivityProxies } from './proxies';
import type { Run } from './run';
import { configFingerprint, type WorkspaceState } from './state';
import { isWorkspaceConfig } from './validate';

export function configReader(run: Run, local: ActivityProxies['local']) {
  /** The newest version announced; read until the state has it. */
  let wanted = run.configKnown ? -Infinity : 0;
  let loading = false;

  /** A configuration the run now has: its notifications flag is the newest. */
  function follow(config: WorkspaceConfig): void {
    if (config.version === run.state.configVersion) run.notificationsOn = config.notifications === true;
  }

  /** A whole configuration (the `integrationsChanged` signal of older clients and tests). */
  function received(config: WorkspaceConfig): void {
    run.apply({ type: 'configChanged', now: Date.now(), config });
    follow(config);
  }

  /** The `configPublished` signal: read the version unless the run has it. */
  function published(version: number): void {
    if (version <= run.state.configVersion) return; // this run has it (its start input, or an earlier read)
    wanted = Math.max(wanted, version);
    void load();
  }

  async function load(): Promise<void> {
    if (loading) return;
    loading = true;
    let failures = 0;
    const backOff = () => wf.sleep(Math.min(30_000, 1_000 * 2 ** Math.min(failures, 5)));
    try {
      while ((!run.configKnown || run.state.configVersion < wanted) && failures < 10) {
        const version = wanted;
        try {
          const known: Record<string, string> = {};
          for (const integration of Object.values(run.state.integrations)) if (!integration.removed) known[integration.config.id] = configFingerprint(integration.config);
          const delta = await local[LOAD_CONFIG_ACTIVITY]({ workspaceId: run.state.workspaceId, known });
          const config = delta && configFromDelta(delta, run.state);
          if (!config || !isWorkspaceConfig(config)) {
            wf.log.warn(delta === null ? 'the workspace has no configuration (deleted?); keeping the one this run has' : 'ignored a malformed configuration');
            break;
          }
          received(config);
          run.configKnown = true;
          // Read again at once for a version announced meanwhile; after a while for one the database does not show yet.
          if (run.state.configVersion < version) {
            failures++;
            await backOff();
          } else failures = 0;
        } catch (err) {
          // The database is away: the run keeps the configuration it has and reads again.
          wf.log.warn('the configuration could not be read; trying again', { error: messageOf(err) });
          failures++;
          await backOff();
        }
      }
    } finally {
      // Given up (or done): manual actions waiting for it are checked against what the run has.
      run.configKnown = true;
      loading = false;
    }
  }

  return {
    received,
    published,
    load,
    get loading() {
      return loading;
    },
  };
}

/** The whole configuration a delta describes, from the integrations the run has; undefined when one it needs is missing. */
function configFromDelta(delta: ConfigDelta, state: WorkspaceState): WorkspaceConfig | undefined {
  if (!Array.isArray(delta.ids) || !Array.isArray(delta.changed)) return undefined;
  const changed = new Map(delta.changed.map((integration) => [integration.id, integration]));
  const integrations = [];
  for (const id of delta.ids) {
    const integration = changed.get(id) ?? state.integrations[id]?.config;
    if (!integration) return undefined;
    integrations.push(integration);
  }
  const { ids: _ids, changed: _changed, ...rest } = delta;
  return { ...rest, integrations };
}
