"use client";

import type { CallOutput } from "@nora/api-client";
import { catalogRoutes } from "@nora/api-contract";
import { loadedStore } from "@nora/ui";
import { api } from "../api";

export type RuntimeCatalog = CallOutput<typeof catalogRoutes.runtimes>;

/** The runtime catalog with this installation's availability: loaded once, shared by every screen. */
export const catalogStore = loadedStore<RuntimeCatalog>(() => api.call(catalogRoutes.runtimes));
