import { z } from "zod";

/** Any short name; unknown and disabled providers both answer 404, so nothing is revealed by the shape. */
export const providerParams = z.strictObject({ provider: z.string().min(1).max(40) });

export const identityParams = z.strictObject({ id: z.string().uuid() });
