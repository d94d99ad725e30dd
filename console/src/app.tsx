/**
 * The console: sign-in until the session has a key GET /v1/me accepts, then the sections by
 * the URL's fragment. A 401 anywhere (key revoked) returns to sign-in.
 */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, onSignedOut } from './api';
import { Shell, SECTIONS, allowed } from './components/shell';
import { useHashRoute } from './hooks';
import { AuditPage } from './pages/audit';
import { ChannelsPage } from './pages/channels';
import { IntegrationsPage } from './pages/integrations';
import { KeysPage } from './pages/keys';
import { OverviewPage } from './pages/overview';
import { SignInPage } from './pages/signin';
import { TimelinePage } from './pages/timeline';
import { forgetKey, storedKey } from './session';
import type { Me } from './types';

const PAGES: Record<string, (props: { me: Me }) => JSX.Element> = {
  overview: OverviewPage,
  integrations: IntegrationsPage,
  timeline: TimelinePage,
  audit: AuditPage,
  channels: ChannelsPage,
  keys: KeysPage,
};

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(() => storedKey() !== null);
  const route = useHashRoute() || 'overview';

  useEffect(() => onSignedOut(() => setMe(null)), []);
  useEffect(() => {
    if (!checking) return;
    call<Me>('GET', '/v1/me')
      .then((answer) => setMe(answer.body))
      .catch(() => setMe(null)) // 401 already forgot the key; anything else: sign in again
      .finally(() => setChecking(false));
  }, []);

  const section = SECTIONS.find((s) => s.route === route);
  useEffect(() => {
    document.title = me ? `${section?.label ?? 'Not found'} · scrubbing-orchestrator` : 'Sign in · scrubbing-orchestrator';
  }, [me, section]);

  if (checking)
    return (
      <main id="main">
        <p>Loading…</p>
      </main>
    );
  if (!me) return <SignInPage onSignedIn={setMe} />;
  const signOut = () => {
    forgetKey();
    setMe(null);
    window.location.hash = '';
  };
  const Page = section && allowed(me, section) ? PAGES[section.route] : undefined;
  return (
    <Shell me={me} route={route} onSignOut={signOut}>
      {Page ? (
        <Page key={route} me={me} />
      ) : (
        <>
          <h1>{section ? 'Not available' : 'Not found'}</h1>
          <p>{section ? `The ${me.role} role may not use ${section.label}.` : 'No such page.'}</p>
        </>
      )}
    </Shell>
  );
}
