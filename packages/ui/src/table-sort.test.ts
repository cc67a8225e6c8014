import { describe, expect, it } from "vitest";
import { applySort, compareSortValues, nextSort, sortRows } from "./table-sort.js";

interface Agent {
  name: string;
  cpu: number | null;
  created: Date;
}

const agents: Agent[] = [
  { name: "agent-10", cpu: 0.5, created: new Date("2026-03-01") },
  { name: "Agent-2", cpu: null, created: new Date("2026-01-01") },
  { name: "agent-1", cpu: 2, created: new Date("2026-02-01") },
  { name: "beta", cpu: 0.5, created: new Date("2026-04-01") },
];
const names = (rows: readonly Agent[]) => rows.map((row) => row.name);

describe("sortRows", () => {
  it("orders text naturally and without regard to case", () => {
    expect(names(sortRows(agents, (a) => a.name, "ascending"))).toEqual([
      "agent-1",
      "Agent-2",
      "agent-10",
      "beta",
    ]);
    expect(names(sortRows(agents, (a) => a.name, "descending"))).toEqual([
      "beta",
      "agent-10",
      "Agent-2",
      "agent-1",
    ]);
  });

  it("orders numbers and dates by value", () => {
    expect(names(sortRows(agents, (a) => a.created, "ascending"))).toEqual([
      "Agent-2",
      "agent-1",
      "agent-10",
      "beta",
    ]);
    expect(sortRows([10, 9, 100], (n) => n, "ascending")).toEqual([9, 10, 100]);
  });

  it("keeps equal rows in their order and empty values last in both directions", () => {
    expect(names(sortRows(agents, (a) => a.cpu, "ascending"))).toEqual([
      "agent-10",
      "beta",
      "agent-1",
      "Agent-2",
    ]);
    expect(names(sortRows(agents, (a) => a.cpu, "descending"))).toEqual([
      "agent-1",
      "agent-10",
      "beta",
      "Agent-2",
    ]);
  });

  it("returns a copy and leaves the input alone", () => {
    const before = names(agents);
    const sorted = sortRows(agents, (a) => a.name, "descending");
    expect(sorted).not.toBe(agents);
    expect(names(agents)).toEqual(before);
  });
});

describe("compareSortValues", () => {
  it("puts empty values after everything", () => {
    expect(compareSortValues(null, 1)).toBeGreaterThan(0);
    expect(compareSortValues("a", undefined)).toBeLessThan(0);
    expect(compareSortValues(null, undefined)).toBe(0);
    expect(compareSortValues(false, true)).toBeLessThan(0);
  });
});

describe("nextSort", () => {
  it("starts a new column ascending and flips the current one", () => {
    expect(nextSort(undefined, "name")).toEqual({ column: "name", direction: "ascending" });
    expect(nextSort({ column: "name", direction: "ascending" }, "name")).toEqual({
      column: "name",
      direction: "descending",
    });
    expect(nextSort({ column: "name", direction: "descending" }, "name")).toEqual({
      column: "name",
      direction: "ascending",
    });
    expect(nextSort({ column: "name", direction: "descending" }, "cpu")).toEqual({
      column: "cpu",
      direction: "ascending",
    });
  });
});

describe("applySort", () => {
  const columns = [{ key: "name", sortValue: (a: Agent) => a.name }, { key: "actions" }];

  it("sorts by the sorted column's value", () => {
    expect(names(applySort(agents, columns, { column: "name", direction: "ascending" }))[0]).toBe("agent-1");
  });

  it("leaves rows as they are without a sort, for a column that cannot sort, or an unknown one", () => {
    expect(applySort(agents, columns, undefined)).toBe(agents);
    expect(applySort(agents, columns, { column: "actions", direction: "ascending" })).toBe(agents);
    expect(applySort(agents, columns, { column: "gone", direction: "ascending" })).toBe(agents);
  });
});
