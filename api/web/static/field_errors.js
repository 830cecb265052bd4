// Errors beside the field they concern, for the main UI's and the assistants' forms: one
// slot per field (.field-error[data-field]), the inputs that slot describes marked
// aria-invalid, the first shown focused.

/** A form's error slots (.field-error[data-field]); the inputs a slot describes are marked.
 *  `key`: the form's name for a field as the server names it (the RFP form's
 *  "input.budget_krw" is its "budget_krw"). */
export class FieldErrors {
  constructor(form, { key = (field) => field } = {}) {
    this.form = form;
    this.key = key;
  }

  clear() {
    for (const slot of this.form.querySelectorAll(".field-error")) slot.textContent = "";
    for (const input of this.form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  }

  /** Show `message` in `field`'s slot (the form's own slot when no field has one), after
   *  what the slot already says; the message loses its "field: " prefix, since the slot
   *  says which field. The first shown gets the focus. */
  show(field, message, { focus = true } = {}) {
    const name = String(field || "");
    const key = this.key(name);
    const slot = this.form.querySelector(`.field-error[data-field="${CSS.escape(key)}"]`) ||
      this.form.querySelector('.field-error[data-field=""]');
    const prefix = [name, key].find((known) => known && message.startsWith(`${known}: `));
    const text = prefix ? message.slice(prefix.length + 2) : message;
    slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text;
    const inputs = [...this.form.querySelectorAll("[aria-describedby]")]
      .filter((input) => input.getAttribute("aria-describedby").split(" ").includes(slot.id));
    for (const input of inputs) input.setAttribute("aria-invalid", "true");
    if (focus) (inputs[0] || slot).focus();
  }
}
