import { z } from "zod";
import { WORKSPACE_ROLES } from "./roles.js";

export const workspaceParams = z.strictObject({ id: z.string().uuid() });
export const memberParams = z.strictObject({ id: z.string().uuid(), userId: z.string().uuid() });

export const createWorkspaceBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
export const updateWorkspaceBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
export const updateMemberBody = z.strictObject({ role: z.enum(WORKSPACE_ROLES) });
