/** The bench's metric readings: database-command counts (bench/app-store.ts) from FerretDB's metrics text, and sums by label (bench/prometheus.ts). */
import { parseCommandCounts } from '../../bench/app-store';
import { parsePrometheus, sumByLabel } from '../../bench/prometheus';

test("FerretDB's request counters are summed by command, whatever their other labels; other metrics are ignored", () => {
  const metrics = [
    '# HELP ferretdb_client_requests_total Total number of requests.',
    '# TYPE ferretdb_client_requests_total counter',
    'ferretdb_client_requests_total{command="insert",opcode="OP_MSG"} 227',
    'ferretdb_client_requests_total{command="insert",opcode="OP_QUERY"} 3',
    'ferretdb_client_requests_total{command="update",opcode="OP_MSG"} 149',
    'ferretdb_client_responses_total{argument="unknown",command="insert",opcode="OP_MSG",result="ok"} 227',
    'process_cpu_seconds_total 3.46',
  ].join('\n');
  expect(parseCommandCounts(metrics)).toEqual({ insert: 230, update: 149 });
});

test("the bench's sums by label: a sample without the label counts under the name given for it (Temporal's refusals without a cause), or is left out", () => {
  const samples = parsePrometheus(
    [
      'service_errors_resource_exhausted{resource_exhausted_cause="RpsLimit",operation="StartWorkflowExecution"} 2',
      'service_errors_resource_exhausted{resource_exhausted_cause="RpsLimit",operation="SignalWorkflowExecution"} 3',
      'service_errors_resource_exhausted{operation="PollWorkflowTaskQueue"} 4',
      'task_requests{operation="TimerActiveTaskUserTimer"} 9',
    ].join('\n'),
  );
  expect(sumByLabel(samples, 'service_errors_resource_exhausted', 'resource_exhausted_cause', 'unknown')).toEqual({ RpsLimit: 5, unknown: 4 });
  expect(sumByLabel(samples, 'service_errors_resource_exhausted', 'resource_exhausted_cause')).toEqual({ RpsLimit: 5 });
});

test("reading only the metrics named gives what a whole reading gives for them: at the page's first and last line, not for a name that merely begins alike, nor from a comment", () => {
  const page = [
    'task_requests{operation="TimerActiveTaskUserTimer"} 9',
    '# HELP task_requests requests',
    'task_requests_total{operation="Other"} 5',
    'service_errors_resource_exhausted{operation="PollWorkflowTaskQueue"} 4',
    'task_latency_bucket{operation="TimerActiveTaskUserTimer",le="0.1"} 3',
    'task_requests{operation="VisibilityTaskUpsertExecution"} 7',
  ].join('\n');
  const whole = parsePrometheus(page);
  for (const names of [['task_requests'], ['service_errors_resource_exhausted'], ['task_requests', 'service_errors_resource_exhausted']]) {
    expect(parsePrometheus(page, names)).toEqual(expect.arrayContaining(whole.filter((s) => names.includes(s.name))));
    expect(parsePrometheus(page, names)).toHaveLength(whole.filter((s) => names.includes(s.name)).length);
  }
  expect(sumByLabel(parsePrometheus(page, ['task_requests']), 'task_requests', 'operation')).toEqual({ TimerActiveTaskUserTimer: 9, VisibilityTaskUpsertExecution: 7 });
});
