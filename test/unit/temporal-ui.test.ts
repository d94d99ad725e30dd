/** Links into the Temporal UI have one shape, for the console (API) and for notifications (worker). */
import { workspaceWorkflowUrl } from '../../api/temporal-ui';
import { temporalWorkflowUrl } from '../../telemetry/temporal-ui';

test.each([
  ['http://ui.test:8233', 'default', 'scrubbing-acme', 'http://ui.test:8233/namespaces/default/workflows/scrubbing-acme'],
  ['http://ui.test:8233//', 'default', 'scrubbing-acme', 'http://ui.test:8233/namespaces/default/workflows/scrubbing-acme'],
  ['https://ui.test/temporal/', 'prod ns', 'a/b?c#d', 'https://ui.test/temporal/namespaces/prod%20ns/workflows/a%2Fb%3Fc%23d'],
])('%s, %s, %s', (base, namespace, workflowId, expected) => {
  expect(temporalWorkflowUrl(base, namespace, workflowId)).toBe(expected);
});

test("the console's workspace link is the notifications' link to the workspace workflow", () => {
  expect(workspaceWorkflowUrl('http://ui.test/', 'default', 'acme')).toBe(temporalWorkflowUrl('http://ui.test', 'default', 'scrubbing-acme'));
});
