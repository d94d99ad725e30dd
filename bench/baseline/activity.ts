/**
 * The bare baseline's one activity: the PATCH our Cloudflare adapter sends to divert
 * (`…/bgp/prefixes/{id}` with `{"on_demand":{"advertised":…}}`), over axios, without the
 * adapter's read-first GET, credential loading or decryption.
 */
import axios from 'axios';
import type { BaselinePrefix } from './messages';

export interface BaselineActivities {
  advertisePrefix(prefix: BaselinePrefix, advertised: boolean): Promise<void>;
}

export function createBaselineActivities(cloudflareUrl: string, apiToken: string): BaselineActivities {
  const http = axios.create({ baseURL: cloudflareUrl, timeout: 20_000, headers: { 'User-Agent': 'scrubbing-bench-baseline' } });
  return {
    async advertisePrefix(prefix, advertised) {
      const path = `/accounts/${prefix.accountId}/addressing/prefixes/${prefix.prefixId}/bgp/prefixes/${prefix.bgpPrefixId}`;
      await http.patch(path, { on_demand: { advertised } }, { headers: { Authorization: `Bearer ${apiToken}` } });
    },
  };
}
