/** The bench's database-command counts (bench/app-store.ts) read from FerretDB's metrics text. */
import { parseCommandCounts } from '../../bench/app-store';

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
