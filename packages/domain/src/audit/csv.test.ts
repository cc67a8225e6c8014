import { describe, expect, it } from "vitest";
import { auditCsvRow } from "./csv.js";
import type { AuditRecord } from "./schema.js";

const record = (over: Partial<AuditRecord>): AuditRecord => ({
  id: "1",
  occurredAt: new Date("2026-01-02T03:04:05Z"),
  actorType: "user",
  actorUserId: null,
  actorApiKeyId: null,
  workspaceId: null,
  action: "x.y",
  targetType: null,
  targetId: null,
  requestId: null,
  ip: null,
  metadata: {},
  ...over,
});

describe("audit CSV", () => {
  it.each(["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx"])("neutralises a formula-like cell %j", (value) => {
    const row = auditCsvRow(record({ targetId: value }));
    expect(row).toContain(`'${value}`);
  });

  it("quotes commas, quotes and newlines (RFC 4180)", () => {
    const row = auditCsvRow(record({ targetId: 'a,"b"\nc', metadata: { k: "v" } }));
    expect(row).toContain('"a,""b""\nc"');
    expect(row).toContain('"{""k"":""v""}"');
    expect(row.endsWith("\r\n")).toBe(true);
  });
});
