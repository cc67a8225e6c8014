import { singleLineText } from "@nora/core";
import { WORKSPACE_ROLES } from "@nora/domain/workspaces/roles";
import { z } from "zod";

export const memberParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });

export const createWorkspaceBody = z.strictObject({ name: singleLineText({ max: 100, min: 1, trim: true }) });
export const updateWorkspaceBody = z.strictObject({ name: singleLineText({ max: 100, min: 1, trim: true }) });
export const updateMemberBody = z.strictObject({ role: z.enum(WORKSPACE_ROLES) });
