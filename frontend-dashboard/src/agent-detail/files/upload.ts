import { ApiError } from "@nora/api-client";
import { UPLOAD_CAP_BYTES, uploadUrl } from "./file-paths";

/**
 * Uploads a file as the raw request body (the route takes application/octet-stream, streamed to the
 * runtime). A file over the default cap is refused here already, with the same words as the API's 413.
 */
export async function uploadFile(agentId: string, root: string, path: string, file: File): Promise<void> {
  if (file.size > UPLOAD_CAP_BYTES) {
    throw new ApiError({
      status: 413,
      error: "file_too_large",
      message: `${file.name} is ${Math.ceil(file.size / 1048576)} MiB; uploads are capped at ${UPLOAD_CAP_BYTES / 1048576} MiB`,
      requestId: null,
    });
  }
  const res = await fetch(uploadUrl(agentId, root, path), {
    method: "POST",
    headers: { "content-type": "application/octet-stream" },
    credentials: "same-origin",
    body: file,
  });
  if (res.ok) return;
  const body = await res.json().catch(() => undefined);
  throw ApiError.fromResponse(res.status, body, res.headers.get("x-request-id"));
}
