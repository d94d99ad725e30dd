/** Links into the Temporal UI, as operators reach it (TEMPORAL_UI_URL): the same shape as the links in notifications. */
import { workspaceWorkflowId } from '../workflows/messages';

/** The workspace workflow's page; every integration of the workspace runs in that one workflow. */
export function workspaceWorkflowUrl(temporalUiUrl: string, namespace: string, workspaceId: string): string {
  return `${temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workspaceWorkflowId(workspaceId))}`;
}
