"use client";

import type { CallOutput } from "@nora/api-client";
import { catalogRoutes } from "@nora/api-contract";
import { api } from "../api";
import { loadedStore } from "../store";

export type RuntimeCatalog = CallOutput<typeof catalogRoutes.runtimes>;

/** The runtime catalog with this installation's availability: loaded once, shared by every screen. */
export const catalogStore = loadedStore<RuntimeCatalog>(() => api.call(catalogRoutes.runtimes));
