/** The signed-in frame: the workspace, the role, the Temporal UI link, sign out, and the sections a role may use. */
import type { ComponentChildren } from 'preact';
import { get, wsPath } from '../api';
import { useApi } from '../hooks';
import { can, type Right } from '../rights';
import type { Me, Workspace } from '../types';
import { WorkflowLink } from './links';

export interface Section {
  route: string;
  label: string;
  /** Shown only to keys with this right. */
  needs?: Right;
}

export const SECTIONS: Section[] = [
  { route: 'overview', label: 'Overview' },
  { route: 'integrations', label: 'Integrations' },
  { route: 'timeline', label: 'Timeline' },
  { route: 'audit', label: 'Audit trail' },
  { route: 'channels', label: 'Channels', needs: 'channels.manage' },
  { route: 'keys', label: 'API keys', needs: 'apiKeys.manage' },
];

export const allowed = (me: Me, section: Section) => !section.needs || can(me, section.needs);

export function Shell({ me, route, onSignOut, children }: { me: Me; route: string; onSignOut: () => void; children: ComponentChildren }) {
  const workspace = useApi(() => get<Workspace>(wsPath(me.workspaceId)), [me.workspaceId]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="topbar">
        <div class="workspace">
          <span class="muted">Workspace</span> <strong data-testid="workspace-name">{workspace.data?.name ?? me.workspaceId}</strong> <code>{me.workspaceId}</code>
        </div>
        <div class="who">
          <span class="muted">Role</span>{' '}
          <span class="badge" data-testid="role">
            {me.role}
          </span>{' '}
          <span class="muted">key</span> {me.keyName}
        </div>
        <WorkflowLink me={me} testId="temporal-ui" />
        <a href="/docs">API reference</a>
        <button type="button" data-testid="signout" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <nav class="sections" aria-label="Sections">
        <ul>
          {SECTIONS.filter((section) => allowed(me, section)).map((section) => (
            <li key={section.route}>
              <a href={`#/${section.route}`} data-testid={`nav-${section.route}`} aria-current={route === section.route ? 'page' : undefined}>
                {section.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
