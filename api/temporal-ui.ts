/** Links into the Temporal UI, as operators reach it (TEMPORAL_UI_URL): the same shape as the links in notifications (telemetry/temporal-ui.ts). */
import { temporalWorkflowUrl } from '../telemetry/temporal-ui';
import { workspaceWorkflowId } from '../workflows/messages';

/** The workspace workflow's page; every integration of the workspace runs in that one workflow. */
export function workspaceWorkflowUrl(temporalUiUrl: string, namespace: string, workspaceId: string): string {
  return temporalWorkflowUrl(temporalUiUrl, namespace, workspaceWorkflowId(workspaceId));
}
