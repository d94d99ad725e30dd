/**
 * Links into the Temporal UI as operators reach it (TEMPORAL_UI_URL), in one shape for the API
 * (the console's links) and the worker (the link in every notification). Pure: reads no configuration.
 */

/** A workflow's page: `<base>/namespaces/<namespace>/workflows/<workflow id>`, segments encoded, the base's trailing slashes dropped. */
export function temporalWorkflowUrl(temporalUiUrl: string, namespace: string, workflowId: string): string {
  return `${temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
