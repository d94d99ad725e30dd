/**
 * The API's answers as the console reads them: inferred from the zod schemas the API answers
 * with (api/schemas.ts), imported as types only, so nothing of the API is bundled.
 */
import type { z } from 'zod';
import type {
  ApiKeyOut,
  ChannelOut,
  CreatedApiKeyOut,
  EventsOut,
  IncidentHistoryOut,
  IntegrationOut,
  IntegrationStateOut,
  ManualActionPendingOut,
  MeOut,
  ScrubbingOut,
  TestResultOut,
  WorkspaceOut,
} from '../../api/schemas';

export type Me = z.infer<typeof MeOut>;
export type Workspace = z.infer<typeof WorkspaceOut>;
export type Scrubbing = z.infer<typeof ScrubbingOut>;
export type IntegrationState = z.infer<typeof IntegrationStateOut>;
export type Incident = Scrubbing['activeIncidents'][number];
export type Integration = z.infer<typeof IntegrationOut>;
export type TestResult = z.infer<typeof TestResultOut>;
export type ManualActionPending = z.infer<typeof ManualActionPendingOut>;
export type AuditPage = z.infer<typeof EventsOut>;
export type AuditEvent = AuditPage['events'][number];
export type IncidentHistory = z.infer<typeof IncidentHistoryOut>;
export type IncidentRecord = IncidentHistory['incidents'][number];
export type Channel = z.infer<typeof ChannelOut>;
export type ApiKey = z.infer<typeof ApiKeyOut>;
export type CreatedApiKey = z.infer<typeof CreatedApiKeyOut>;
