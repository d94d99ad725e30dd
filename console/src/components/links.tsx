/** Links out of the console: only http(s) targets, opened without a referrer or a handle on this tab. */
import type { ComponentChildren } from 'preact';
import type { Me } from '../types';

export function safeHref(url: string | null | undefined): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

export function ExternalLink({ href, children, testId, label }: { href: string | null | undefined; children: ComponentChildren; testId?: string; label?: string }) {
  const target = safeHref(href);
  if (!target) return null;
  return (
    <a href={target} target="_blank" rel="noopener noreferrer" data-testid={testId} aria-label={label}>
      {children}
    </a>
  );
}

/** The workspace workflow in the Temporal UI (every integration runs in it), when TEMPORAL_UI_URL is set. */
export function WorkflowLink({ me, testId, subject }: { me: Me; testId?: string; subject?: string }) {
  return (
    <ExternalLink href={me.workflowUrl} testId={testId} label={subject ? `Workflow of ${subject} in the Temporal UI` : 'Workspace workflow in the Temporal UI'}>
      Temporal UI
    </ExternalLink>
  );
}
