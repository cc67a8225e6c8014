import { describe, expect, it } from "vitest";
import { one, render } from "../test/render.js";
import { type ToastApi, ToastProvider, ToastRegion, useToast } from "./toast.js";
import {
  createToast,
  DEFAULT_TOAST_DURATION_MS,
  MAX_TOASTS,
  type Toast,
  toastFromApiError,
  toastReducer,
} from "./toast-state.js";

const noop = () => {};
const REQUEST_ID = "0b6a6c2e-5a4f-4f1e-9c38-1f2d3e4a5b6c";

describe("ToastRegion", () => {
  it("is a labelled polite live region that exists while empty", () => {
    const root = render(<ToastRegion toasts={[]} onDismiss={noop} />);
    expect(one(root, "section").getAttribute("aria-label")).toBe("Notifications");
    const live = one(root, "[role=status]");
    expect(live.getAttribute("aria-live")).toBe("polite");
    expect(live.getAttribute("aria-atomic")).toBe("false");
    expect(live.childNodes).toHaveLength(0);
  });

  it("shows an API error's message and request id, with a copy button", () => {
    const body = { error: "conflict", message: "An agent of that name exists", requestId: REQUEST_ID };
    const toast = createToast("toast-1", toastFromApiError(body, "Could not create the agent"));
    const root = render(<ToastRegion toasts={[toast]} onDismiss={noop} />);
    const view = one(root, "[role=status] .nora-toast");
    expect(view.classList.contains("nora-toast--error")).toBe(true);
    expect(one(view, ".nora-toast-title").text).toBe("Error: Could not create the agent");
    expect(one(view, ".nora-toast-message").text).toBe("An agent of that name exists");
    expect(one(view, ".nora-toast-request code").text).toBe(REQUEST_ID);
    const copy = one(view, ".nora-toast-copy");
    expect(copy.getAttribute("type")).toBe("button");
    expect(copy.text).toBe("Copy request id");
    expect(one(view, ".nora-toast-dismiss").getAttribute("aria-label")).toBe("Dismiss notification");
    expect(one(view, ".nora-toast-icon").getAttribute("aria-hidden")).toBe("true");
  });

  it("says a success in words too, and shows no request id where there is none", () => {
    const toast = createToast("toast-2", { tone: "success", title: "Agent deployed" });
    const root = render(<ToastRegion toasts={[toast]} onDismiss={noop} />);
    expect(one(root, ".nora-toast-title").text).toBe("Success: Agent deployed");
    expect(root.querySelector(".nora-toast-request")).toBeNull();
  });
});

let seen: ToastApi | undefined;
function Probe() {
  seen = useToast();
  return <p>child</p>;
}
function Orphan() {
  useToast();
  return null;
}

describe("ToastProvider", () => {
  it("renders its children and the empty region; useToast works inside it", () => {
    const root = render(
      <ToastProvider>
        <Probe />
      </ToastProvider>,
    );
    expect(one(root, "p").text).toBe("child");
    expect(one(root, "[role=status]").childNodes).toHaveLength(0);
    expect(seen?.show).toBeTypeOf("function");
    expect(seen?.dismiss).toBeTypeOf("function");
  });

  it("useToast outside a provider fails with a message that says what is missing", () => {
    expect(() => render(<Orphan />)).toThrow(/ToastProvider/);
  });
});

describe("toast state", () => {
  it("keeps errors until dismissed and lets others time out", () => {
    expect(createToast("a", { tone: "error", title: "Failed" }).duration).toBeNull();
    expect(createToast("b", { title: "Saved" })).toEqual({
      id: "b",
      tone: "info",
      title: "Saved",
      duration: DEFAULT_TOAST_DURATION_MS,
    });
    expect(createToast("c", { tone: "success", title: "Saved", duration: null }).duration).toBeNull();
  });

  it("adds, dismisses, and drops the oldest beyond the limit", () => {
    let state: Toast[] = [];
    for (let i = 1; i <= MAX_TOASTS + 2; i++) {
      state = toastReducer(state, { type: "add", toast: createToast(`t${i}`, { title: `n${i}` }) });
    }
    expect(state.map((t) => t.id)).toEqual(["t3", "t4", "t5", "t6", "t7"]);
    state = toastReducer(state, { type: "dismiss", id: "t5" });
    expect(state.map((t) => t.id)).toEqual(["t3", "t4", "t6", "t7"]);
    expect(toastReducer(state, { type: "dismiss", id: "nope" })).toEqual(state);
  });

  it("takes the request id from the API's body, else from the response header", () => {
    expect(toastFromApiError({ error: "x", requestId: "from-body" }, "Failed", "from-header").requestId).toBe(
      "from-body",
    );
    expect(toastFromApiError("<html>502</html>", "Failed", "from-header")).toEqual({
      tone: "error",
      title: "Failed",
      requestId: "from-header",
    });
    expect(toastFromApiError(undefined, "Failed")).toEqual({ tone: "error", title: "Failed" });
  });
});
