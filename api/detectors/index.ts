/** The detector vendors the ingest route understands, one module each, registered here. */
import { cloudflare } from './cloudflare';
import { fastnetmon } from './fastnetmon';
import { flowtriq } from './flowtriq';
import { generic } from './generic';
import { kentik } from './kentik';
import type { DetectorType, DetectorVendor } from './vendor';

export const DETECTOR_VENDORS: { [K in DetectorType]: DetectorVendor & { type: K } } = {
  fastnetmon: fastnetmon as DetectorVendor & { type: 'fastnetmon' },
  flowtriq: flowtriq as DetectorVendor & { type: 'flowtriq' },
  kentik: kentik as DetectorVendor & { type: 'kentik' },
  cloudflare: cloudflare as DetectorVendor & { type: 'cloudflare' },
  generic: generic as DetectorVendor & { type: 'generic' },
};

export * from './vendor';
