// stepper's walk widget in the browser: it draws what Python sends (the step's card, the
// picture, where the learner is, the buttons) and sends back the moves asked for, by a
// button or by the app's keys. It computes nothing: the kernel holds the walk.

const SHOWN = ["lang", "position", "card", "picture", "can_back", "can_next"];

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = `${model.get("scope")} stepper-walk`;
  root.tabIndex = 0;
  // JupyterLab leaves the keys to an element that asks (its command-mode shortcuts would
  // otherwise take ←, →, a, …).
  root.dataset.lmSuppressShortcuts = "true";
  root.dataset.pSuppressShortcuts = "true";

  const bar = document.createElement("div");
  bar.className = "bar";
  const buttons = model.get("buttons").map((spec) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = spec.text;
    button.title = spec.title;
    button.setAttribute("aria-label", spec.title);
    button.tabIndex = -1; // the widget keeps the focus, so that its keys work after a click
    button.dataset.forward = spec.forward ? "true" : "false";
    button.addEventListener("click", () => {
      model.send({ move: spec.move });
      root.focus({ preventScroll: true });
    });
    bar.append(button);
    return button;
  });
  const position = document.createElement("span");
  position.className = "position";
  position.setAttribute("aria-live", "polite");
  bar.append(position);

  const picture = document.createElement("figure");
  picture.className = "picture";
  const card = document.createElement("div");
  card.className = "card";
  root.append(bar, picture, card);
  el.append(root);

  function draw() {
    root.lang = model.get("lang");
    position.textContent = model.get("position");
    picture.innerHTML = model.get("picture");
    card.innerHTML = model.get("card");
    for (const button of buttons) {
      const forward = button.dataset.forward === "true";
      button.disabled = !model.get(forward ? "can_next" : "can_back");
    }
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const move = model.get("key_moves")[event.key];
    if (move === undefined) return;
    event.preventDefault();
    event.stopPropagation();
    model.send({ move });
  }

  root.addEventListener("keydown", onKey);
  for (const name of SHOWN) model.on(`change:${name}`, draw);
  draw();
  return () => {
    for (const name of SHOWN) model.off(`change:${name}`, draw);
    root.removeEventListener("keydown", onKey);
  };
}

export default { render };
