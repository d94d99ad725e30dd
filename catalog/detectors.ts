/** The detector types a workspace can connect with their own webhooks (their parsers: api/detectors/). Pure. */
export const DETECTOR_TYPES = ['fastnetmon', 'flowtriq', 'kentik', 'cloudflare', 'generic'] as const;
export type DetectorType = (typeof DETECTOR_TYPES)[number];
