import { singleLineText } from "@nora/core";
import { z } from "zod";

/** Any short name; unknown and disabled providers both answer 404, so nothing is revealed by the shape. */
export const providerParams = z.strictObject({ provider: singleLineText({ max: 40, min: 1 }) });

export const identityParams = z.strictObject({ id: z.uuid() });
