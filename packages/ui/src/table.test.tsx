import { describe, expect, it } from "vitest";
import { one, render } from "../test/render.js";
import { StatusBadge } from "./status-badge.js";
import { type Column, Table } from "./table.js";

interface Agent {
  id: string;
  name: string;
  status: string;
}

const rows: Agent[] = [
  { id: "1", name: "beta", status: "running" },
  { id: "2", name: "alpha", status: "failed" },
  { id: "3", name: "gamma", status: "queued" },
];

const columns: Column<Agent>[] = [
  { key: "name", header: "Name", cell: (a) => a.name, sortValue: (a) => a.name, rowHeader: true },
  {
    key: "status",
    header: "Status",
    cell: (a) => <StatusBadge status={a.status} />,
    sortValue: (a) => a.status,
  },
  { key: "actions", header: "Actions", cell: () => "…", align: "end" },
];

const bodyNames = (root: ReturnType<typeof render>) =>
  root.querySelectorAll("tbody tr").map((tr) => tr.querySelector("th")?.text);

describe("Table", () => {
  it("is named by its caption, also as the keyboard-scrollable region around it", () => {
    const root = render(<Table caption="Agents" columns={columns} rows={rows} rowKey={(a) => a.id} />);
    const region = one(root, "section");
    const caption = one(root, "caption");
    expect(caption.text).toBe("Agents");
    expect(region.getAttribute("aria-labelledby")).toBe(caption.id);
    expect(region.getAttribute("tabindex")).toBe("0");
  });

  it("renders sortable headers as buttons and marks only the sorted one with aria-sort", () => {
    const root = render(
      <Table
        caption="Agents"
        columns={columns}
        rows={rows}
        rowKey={(a) => a.id}
        defaultSort={{ column: "name", direction: "descending" }}
      />,
    );
    const headers = root.querySelectorAll("thead th");
    expect(headers.map((th) => th.getAttribute("scope"))).toEqual(["col", "col", "col"]);
    expect(headers.map((th) => th.getAttribute("aria-sort") ?? null)).toEqual(["descending", null, null]);
    expect(headers.map((th) => th.querySelector("button")?.getAttribute("type") ?? null)).toEqual([
      "button",
      "button",
      null,
    ]);
    expect(one(root, "th[aria-sort] .nora-sort-indicator").getAttribute("aria-hidden")).toBe("true");
    expect(bodyNames(root)).toEqual(["gamma", "beta", "alpha"]);
  });

  it("shows a controlled sort and leaves presorted rows in their order", () => {
    const sort = { column: "status", direction: "ascending" } as const;
    const sorted = render(
      <Table caption="Agents" columns={columns} rows={rows} rowKey={(a) => a.id} sort={sort} />,
    );
    expect(bodyNames(sorted)).toEqual(["alpha", "gamma", "beta"]);
    expect(one(sorted, "th[aria-sort]").text).toContain("Status");

    const presorted = render(
      <Table caption="Agents" columns={columns} rows={rows} rowKey={(a) => a.id} sort={sort} presorted />,
    );
    expect(bodyNames(presorted)).toEqual(["beta", "alpha", "gamma"]);
    expect(one(presorted, "th[aria-sort]").getAttribute("aria-sort")).toBe("ascending");
  });

  it("names each row by its row-header cell and aligns end columns", () => {
    const root = render(<Table caption="Agents" columns={columns} rows={rows} rowKey={(a) => a.id} />);
    const first = root.querySelector("tbody tr");
    expect(first?.querySelector("th")?.getAttribute("scope")).toBe("row");
    expect(first?.querySelectorAll("td")[1]?.classList.contains("nora-cell--end")).toBe(true);
    expect(first?.querySelector(".nora-badge")?.text).toBe("Running");
  });

  it("says so when there is nothing, across every column", () => {
    const root = render(
      <Table
        caption="Agents"
        columns={columns}
        rows={[]}
        rowKey={(a) => a.id}
        emptyMessage="No agents yet."
      />,
    );
    const cell = one(root, "tbody td");
    expect(cell.text).toBe("No agents yet.");
    expect(cell.getAttribute("colspan")).toBe("3");
    expect(one(root, "table").hasAttribute("aria-busy")).toBe(false);
  });

  it("while loading is aria-busy, with a loading row before the first rows arrive", () => {
    const empty = render(<Table caption="Agents" columns={columns} rows={[]} rowKey={(a) => a.id} loading />);
    expect(one(empty, "table").getAttribute("aria-busy")).toBe("true");
    expect(one(empty, "tbody td").text).toBe("Loading…");

    const refreshing = render(
      <Table caption="Agents" columns={columns} rows={rows} rowKey={(a) => a.id} loading />,
    );
    expect(one(refreshing, "table").getAttribute("aria-busy")).toBe("true");
    expect(refreshing.querySelectorAll("tbody tr")).toHaveLength(3);
  });

  it("can keep its caption for screen readers only", () => {
    const root = render(
      <Table caption="Agents" captionHidden columns={columns} rows={rows} rowKey={(a) => a.id} />,
    );
    expect(one(root, "caption").classList.contains("nora-visually-hidden")).toBe(true);
  });
});
