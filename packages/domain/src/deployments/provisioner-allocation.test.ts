import { describe, expect, it } from "vitest";
import { subnetPool } from "./provisioner-allocation.js";

describe("agent subnets", () => {
  it("carves a /16 into 4096 /28 networks", () => {
    const pool = subnetPool("10.213.0.0/16");
    expect(pool.count).toBe(4096);
    expect(pool.subnet(0)).toBe("10.213.0.0/28");
    expect(pool.subnet(1)).toBe("10.213.0.16/28");
    expect(pool.subnet(16)).toBe("10.213.1.0/28");
    expect(pool.subnet(4095)).toBe("10.213.255.240/28");
  });

  it("aligns a pool given with host bits set, and refuses indexes outside it", () => {
    const pool = subnetPool("192.168.77.9/24");
    expect(pool.count).toBe(16);
    expect(pool.subnet(0)).toBe("192.168.77.0/28");
    expect(() => pool.subnet(16)).toThrow(RangeError);
    expect(() => pool.subnet(-1)).toThrow(RangeError);
    expect(() => pool.subnet(1.5)).toThrow(RangeError);
  });
});
