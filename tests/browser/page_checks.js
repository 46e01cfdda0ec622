// The checks that every page must pass, in every state and at every width, run in one
// evaluate() by tests/browser/test_every_page.py. Returns a list of French-free, one-line
// problem descriptions (« kind: where: what »); an empty list means the page passes.
//
// (a) boundary  — every visible form control has a visible boundary: a border, a box-shadow
//     (the DSFR draws its inputs' bottom line as an inset box-shadow), an outline or a
//     background whose contrast with the background around it is at least 3:1
//     (WCAG 1.4.11 Non-text Contrast). A DSFR checkbox or radio hides the native input and
//     draws the box on its label (background gradients, ::before): the label is read then.
// (b) overflow  — no text overflows or is clipped in its control: a select's selected option
//     wider than the select's content box, a button's or a link's text beyond its box; no
//     horizontal scroll of the page (an element that scrolls on purpose, such as the DSFR's
//     .fr-table wrapper, keeps its overflow to itself and passes).
// (c) number    — numbers in SVG geometry attributes and in inline style lengths parse as
//     numbers (a French decimal comma « 224,0 » does not), and every JSON data island parses.
() => {
  const problems = [];
  const MIN_CONTRAST = 3;

  // ---------------------------------------------------------------- where, for the reports
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    else if (el.getAttribute("name")) name += `[name="${el.getAttribute("name")}"]`;
    else if (el.classList.length) name += "." + [...el.classList].slice(0, 2).join(".");
    const label =
      (el.labels && el.labels[0] && el.labels[0].innerText) ||
      el.getAttribute("aria-label") ||
      el.innerText ||
      el.value ||
      "";
    const text = label.replace(/\s+/g, " ").trim().slice(0, 50);
    return text ? `${name} « ${text} »` : name;
  };

  const isVisible = (el) => {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false; // absent, or visually hidden
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    return true;
  };

  // ------------------------------------------------------------------------------ colours
  const parseColour = (text) => {
    const m = /rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)/.exec(
      text,
    );
    if (!m) return null;
    let alpha = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith("%")) alpha /= 100;
    return [+m[1], +m[2], +m[3], alpha];
  };
  const colours = (text) =>
    (text.match(/rgba?\([^)]*\)/g) || []).map(parseColour).filter((c) => c && c[3] > 0);
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The colour painted behind `el`: the backgrounds of its ancestors, composited down to
  // the first opaque one (the canvas is white).
  const backgroundBehind = (el) => {
    const layers = [];
    for (let node = el.parentElement; node; node = node.parentElement) {
      const c = parseColour(getComputedStyle(node).backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };

  // The colours that may draw a boundary of a box with style `s`, each with the colour
  // it must stand out from.
  const boundaryColours = (s, around) => {
    const found = [];
    for (const side of ["Top", "Right", "Bottom", "Left"]) {
      const width = parseFloat(s[`border${side}Width`]);
      const style = s[`border${side}Style`];
      if (width >= 1 && style !== "none" && style !== "hidden") {
        const c = parseColour(s[`border${side}Color`]);
        if (c && c[3] > 0) found.push(over(c, around));
      }
    }
    if (s.boxShadow && s.boxShadow !== "none") {
      // « rgb(…) 0px -2px 0px 0px inset, … »: a shadow with an offset or a spread draws a line.
      for (const shadow of s.boxShadow.split(/,(?![^(]*\))/)) {
        const c = parseColour(shadow);
        const lengths = (shadow.replace(/rgba?\([^)]*\)/, "").match(/-?[\d.]+px/g) || []).map(
          parseFloat,
        );
        const [x = 0, y = 0, , spread = 0] = lengths;
        if (c && c[3] > 0 && (x || y || spread)) found.push(over(c, around));
      }
    }
    if (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1) {
      const c = parseColour(s.outlineColor);
      if (c && c[3] > 0) found.push(over(c, around));
    }
    const fill = parseColour(s.backgroundColor);
    if (fill && fill[3] > 0) found.push(over(fill, around));
    if (s.backgroundImage && s.backgroundImage.includes("gradient")) {
      for (const c of colours(s.backgroundImage)) found.push(over(c, around));
    }
    return found;
  };

  const hasBoundary = (styles, around) =>
    styles.some((s) => boundaryColours(s, around).some((c) => contrast(c, around) >= MIN_CONTRAST));

  // ----------------------------------------------------------------- (a) control boundary
  const TEXT_TYPES = new Set([
    "text", "email", "password", "search", "tel", "url", "number", "date", "time",
    "datetime-local", "month", "week",
  ]);
  const controls = document.querySelectorAll("input, select, textarea");
  for (const el of controls) {
    if (el.disabled) continue; // inactive components are exempt (WCAG 1.4.11)
    const type = el.tagName === "INPUT" ? (el.getAttribute("type") || "text").toLowerCase() : "";
    const box = type === "checkbox" || type === "radio";
    if (el.tagName === "INPUT" && !box && !TEXT_TYPES.has(type)) continue;
    if (box && isVisible(el) && getComputedStyle(el).appearance !== "none") continue; // native
    let styles;
    let around;
    if (box && !isVisible(el)) {
      // The DSFR's boxes: the input is hidden, its label draws the box.
      const label = el.labels && el.labels[0];
      if (!label || !isVisible(label)) continue;
      around = backgroundBehind(label);
      styles = [
        getComputedStyle(label),
        getComputedStyle(label, "::before"),
        getComputedStyle(label, "::after"),
      ].filter((s, i) => i === 0 || (s.content && s.content !== "none"));
    } else {
      if (!isVisible(el)) continue;
      around = backgroundBehind(el);
      styles = [getComputedStyle(el)];
    }
    if (!hasBoundary(styles, around)) {
      problems.push(`boundary: ${describe(el)}: no border, shadow or background at 3:1`);
    }
  }

  // ---------------------------------------------------------------- (b) text in its box
  const canvas = document.createElement("canvas").getContext("2d");
  for (const select of document.querySelectorAll("select")) {
    if (select.multiple || select.size > 1 || !isVisible(select)) continue;
    const option = select.options[select.selectedIndex];
    if (!option) continue;
    const s = getComputedStyle(select);
    canvas.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const text = canvas.measureText(option.text.trim()).width;
    const room = select.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    if (text > room + 1) {
      problems.push(
        `overflow: ${describe(select)}: « ${option.text.trim()} » is ${Math.round(text)} px` +
          ` wide in ${Math.round(room)} px`,
      );
    }
  }
  const boxes = document.querySelectorAll(
    "button, input[type=submit], input[type=button], input[type=reset], a, .fr-tag, .fr-badge",
  );
  for (const el of boxes) {
    if (!isVisible(el)) continue;
    const s = getComputedStyle(el);
    if (s.display === "contents") continue;
    const inline = s.display === "inline"; // a line of text: it wraps, its box is not drawn
    if (el.tagName === "INPUT") {
      if (el.scrollWidth > el.clientWidth + 1) {
        problems.push(`overflow: ${describe(el)}: its text is wider than its box`);
      }
      continue;
    }
    // The text's own boxes, against the element's box (its border edge). A box that clips
    // its text and shows none of it hides it on purpose (the DSFR's icon-only buttons keep
    // their name as text pushed out of sight): only a text partly shown is clipped.
    const range = document.createRange();
    range.selectNodeContents(el);
    const box = el.getBoundingClientRect();
    const clips = s.overflowX !== "visible";
    let beyond = 0;
    let shown = false;
    for (const line of range.getClientRects()) {
      if (line.width === 0 || line.height === 0) continue;
      beyond = Math.max(beyond, box.left - line.left, line.right - box.right);
      shown ||= Math.min(line.right, box.right) - Math.max(line.left, box.left) > 1;
    }
    // A short label (five words at most) broken on three lines or more: its column is
    // squeezed narrower than two words (a bar of links on a phone).
    // Lines of its text only (not of its icons), unless it breaks them itself (<br>).
    const words = (el.innerText || "").trim().split(/\s+/).filter(Boolean);
    const tops = new Set();
    const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      const part = document.createRange();
      part.selectNodeContents(text);
      for (const r of part.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    }
    if (words.length > 1 && words.length <= 5 && tops.size >= 3 && !el.querySelector("br")) {
      problems.push(
        `overflow: ${describe(el)}: squeezed, its ${words.length} words on ${tops.size} lines` +
          ` in ${Math.round(box.width)} px`,
      );
    }
    // Text beyond a box that is not drawn (a link without border nor background) is not
    // seen as overflowing; beyond a drawn box or cut by it, it is.
    const around = backgroundBehind(el);
    const drawn = boundaryColours(s, around).some((c) => contrast(c, around) > 1.1);
    if (!inline && beyond > 1 && (clips ? shown : drawn)) {
      const how = clips ? "is cut" : "goes";
      problems.push(
        `overflow: ${describe(el)}: its text ${how} ${Math.round(beyond)} px beyond its box` +
          ` (${Math.round(box.width)} px wide)`,
      );
    }
  }
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth) {
    // Name the elements that stick out, outermost first, not inside a box that clips or
    // scrolls them on purpose.
    const culprits = [];
    const walk = (node) => {
      for (const child of node.children) {
        const s = getComputedStyle(child);
        if (s.display === "none") continue;
        const r = child.getBoundingClientRect();
        if (r.right > window.innerWidth + 1 && r.width > 0) {
          culprits.push(`${describe(child)} (right edge at ${Math.round(r.right)} px)`);
          if (culprits.length >= 3) return;
          continue;
        }
        if (s.overflowX !== "visible") continue; // clips or scrolls its content
        walk(child);
        if (culprits.length >= 3) return;
      }
    };
    walk(document.body);
    problems.push(
      `overflow: the page scrolls sideways (${page.scrollWidth} px in ${window.innerWidth} px): ` +
        culprits.join("; "),
    );
  }

  // ------------------------------------------------------------- (c) numbers as numbers
  const NUMBER = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?`;
  const LENGTH = new RegExp(`^\\s*${NUMBER}(?:px|em|ex|rem|%|pt|pc|cm|mm|in|ch|vw|vh)?\\s*$`);
  const SCALARS = ["x", "y", "x1", "y1", "x2", "y2", "width", "height", "cx", "cy", "r", "rx",
    "ry", "dx", "dy", "offset", "stroke-width", "font-size", "stroke-dashoffset"];
  const LIST_TOKEN = new RegExp(`^${NUMBER}$`);
  const svgNumbers = (el, attribute, value) => {
    const bad = (why) => svgProblems.push(`number: ${describe(el)} ${attribute}="${value}": ${why}`);
    if (SCALARS.includes(attribute)) {
      if (!LENGTH.test(value)) bad("not a number");
    } else if (attribute === "viewBox") {
      const tokens = value.trim().split(/[\s,]+/);
      if (tokens.length !== 4 || !tokens.every((t) => LIST_TOKEN.test(t))) bad("not 4 numbers");
    } else if (attribute === "points") {
      // Written as « x,y x,y »: a pair with more than two numbers holds a decimal comma.
      for (const pair of value.trim().split(/\s+/)) {
        const numbers = pair.split(",").filter(Boolean);
        if (numbers.length > 2 || !numbers.every((t) => LIST_TOKEN.test(t))) {
          bad(`« ${pair} » is not a pair of numbers`);
          break;
        }
      }
    } else if (attribute === "d" || attribute === "transform") {
      const stray = value.replace(new RegExp(NUMBER, "g"), "").replace(/[\s,()a-zA-Z]/g, "");
      if (stray) bad(`stray « ${stray} »`);
      if (attribute === "d" && el.getTotalLength && value.trim() && !(el.getTotalLength() >= 0)) {
        bad("does not parse");
      }
    }
  };
  const SVG_ATTRIBUTES = new Set([...SCALARS, "viewBox", "points", "d", "transform"]);
  const svgProblems = [];
  for (const el of document.querySelectorAll("svg, svg *")) {
    for (const { name, value } of el.attributes) {
      if (SVG_ATTRIBUTES.has(name)) svgNumbers(el, name, value);
    }
  }
  problems.push(...svgProblems.slice(0, 4));
  if (svgProblems.length > 4) {
    problems.push(`number: and ${svgProblems.length - 4} more SVG attributes that are not numbers`);
  }
  for (const el of document.querySelectorAll("[style]")) {
    for (const declaration of el.getAttribute("style").split(";")) {
      const [property, ...rest] = declaration.split(":");
      const value = rest.join(":").trim();
      if (!property.trim() || !value) continue;
      // A length or number with a decimal comma (« width: 12,5% ») is dropped by the parser.
      if (/\d,\d/.test(value) && !/rgba?\(|hsla?\(|var\(/.test(value)) {
        problems.push(`number: ${describe(el)} style « ${declaration.trim()} »: decimal comma`);
      }
    }
  }
  for (const island of document.querySelectorAll('script[type="application/json"]')) {
    try {
      JSON.parse(island.textContent);
    } catch (error) {
      problems.push(`number: ${describe(island)}: JSON that does not parse (${error.message})`);
    }
  }
  return problems;
}
