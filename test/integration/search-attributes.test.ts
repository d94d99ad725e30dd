/** The worker registers the workflow's search attributes on a namespace that lacks them, once. */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureSearchAttributes } from '../../worker/search-attributes';
import { temporalCliPath } from '../support/tools';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  // A dev server started without the --search-attribute flags.
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalCliPath() }, ip: '127.0.0.1', log: { format: 'pretty', level: 'warn' } },
  });
});
afterAll(() => env?.teardown());

test('missing search attributes are registered, and a second call changes nothing', async () => {
  await expect(ensureSearchAttributes(env.address, 'default')).resolves.toEqual(['WorkspaceId', 'ScrubbingState']);
  await expect(ensureSearchAttributes(env.address, 'default')).resolves.toEqual([]);
  const listed = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  expect(Object.keys(listed.customAttributes ?? {})).toEqual(expect.arrayContaining(['WorkspaceId', 'ScrubbingState']));
});
