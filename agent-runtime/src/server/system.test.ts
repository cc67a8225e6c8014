import { describe, expect, it } from "vitest";
import { networkInfo, parseNetDev } from "./system.js";

describe("network counters", () => {
  it("sums every interface but loopback from /proc/net/dev", () => {
    const text = [
      "Inter-|   Receive                                                |  Transmit",
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
      "    lo: 9999       99    0    0    0     0          0         0     9999      99    0    0    0     0       0          0",
      "  eth0: 1200       10    0    0    0     0          0         0      340       4    0    0    0     0       0          0",
      "  eth1:   30        1    0    0    0     0          0         0        5       1    0    0    0     0       0          0",
      "  bad: x",
    ].join("\n");
    expect(parseNetDev(text)).toEqual({
      rxBytes: 1230,
      txBytes: 345,
      rxPackets: 11,
      txPackets: 5,
      interfaces: 2,
    });
  });

  it("reads this machine's namespace", async () => {
    const info = await networkInfo();
    expect(info?.rxBytes).toEqual(expect.any(Number));
  });
});
