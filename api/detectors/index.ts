/** The detector vendors the ingest route understands, one module each, registered here. */
import { cloudflare } from './cloudflare';
import { fastnetmon } from './fastnetmon';
import { flowtriq } from './flowtriq';
import { generic } from './generic';
import { kentik } from './kentik';
import type { DetectorType, DetectorVendor } from './vendor';

/** A type without its module does not compile. */
export const DETECTOR_VENDORS: Record<DetectorType, DetectorVendor> = { fastnetmon, flowtriq, kentik, cloudflare, generic };

export * from './vendor';
