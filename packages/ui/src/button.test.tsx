import type { MouseEvent } from "react";
import { describe, expect, it, vi } from "vitest";
import { one, render } from "../test/render.js";
import { Button, guardActivation } from "./button.js";

describe("Button", () => {
  it("is a plain type=button of its variant and size, with no busy or disabled state", () => {
    const button = one(render(<Button>Save</Button>), "button");
    expect(button.getAttribute("type")).toBe("button");
    expect(button.classList.contains("nora-button--primary")).toBe(true);
    expect(button.classList.contains("nora-button--md")).toBe(true);
    expect(button.hasAttribute("aria-busy")).toBe(false);
    expect(button.hasAttribute("aria-disabled")).toBe(false);
    expect(button.text).toBe("Save");
  });

  it("while loading is aria-busy and aria-disabled but stays focusable, its spinner hidden from AT", () => {
    const root = render(
      <Button variant="danger" size="sm" type="submit" loading>
        Delete agent
      </Button>,
    );
    const button = one(root, "button");
    expect(button.getAttribute("aria-busy")).toBe("true");
    expect(button.getAttribute("aria-disabled")).toBe("true");
    expect(button.hasAttribute("disabled")).toBe(false);
    expect(button.getAttribute("type")).toBe("submit");
    expect(button.classList.contains("nora-button--danger")).toBe(true);
    expect(one(root, ".nora-spinner").getAttribute("aria-hidden")).toBe("true");
    expect(button.text).toBe("Delete agent");
  });

  it("when disabled is aria-disabled, not natively disabled, and not busy", () => {
    const button = one(render(<Button disabled>Save</Button>), "button");
    expect(button.getAttribute("aria-disabled")).toBe("true");
    expect(button.hasAttribute("disabled")).toBe(false);
    expect(button.hasAttribute("aria-busy")).toBe(false);
  });
});

describe("guardActivation", () => {
  const click = () => {
    const event = { preventDefault: vi.fn() };
    return { event, asMouse: event as unknown as MouseEvent<HTMLButtonElement> };
  };

  it("runs the handler of an available button and leaves the default action alone", () => {
    const onClick = vi.fn();
    const { event, asMouse } = click();
    guardActivation(false, onClick)(asMouse);
    expect(onClick).toHaveBeenCalledWith(asMouse);
    expect(event.preventDefault).not.toHaveBeenCalled();
  });

  it("blocks a disabled or loading button: no handler, no form submission", () => {
    const onClick = vi.fn();
    const { event, asMouse } = click();
    guardActivation(true, onClick)(asMouse);
    expect(onClick).not.toHaveBeenCalled();
    expect(event.preventDefault).toHaveBeenCalledOnce();
  });
});
