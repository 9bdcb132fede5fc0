//! (browser only) What a person types before the WASM takes over stays in the field.
//!
//! On a slow phone the server-rendered form is usable seconds before hydration ends, and
//! hydration sets every `prop:value` from its signal, which still holds the server's value:
//! what was typed meanwhile vanished. So from the moment the WASM starts, every value the
//! person gives a field is noted (and any field already changed before that), and once
//! hydration has finished, each noted field that no longer shows it gets it back, with
//! the `input` and `change` events a person's typing fires, so the page's signals learn it.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, EventInit, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
};

/// A form control's state as the person left it.
#[derive(Clone, PartialEq, Debug)]
enum Given {
    Text(String),
    Ticked(bool),
}

/// The fields the person changed, with what they gave, until hydration ends.
pub struct EarlyInput {
    given: std::rc::Rc<std::cell::RefCell<Vec<(Element, Given)>>>,
    listener: Closure<dyn FnMut(Event)>,
}

fn state_of(el: &Element) -> Option<Given> {
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        return match i.type_().as_str() {
            "checkbox" | "radio" => Some(Given::Ticked(i.checked())),
            // A file input cannot be set; the others hold nothing a person types.
            "file" | "hidden" | "submit" | "button" | "reset" | "image" => None,
            _ => Some(Given::Text(i.value())),
        };
    }
    if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        return Some(Given::Text(t.value()));
    }
    el.dyn_ref::<HtmlSelectElement>()
        .map(|s| Given::Text(s.value()))
}

/// Whether the server's HTML already differs from what the field shows: typed into
/// before the WASM started.
fn changed_from_markup(el: &Element) -> bool {
    if let Some(i) = el.dyn_ref::<HtmlInputElement>() {
        return match i.type_().as_str() {
            "checkbox" | "radio" => i.checked() != i.default_checked(),
            "file" | "hidden" | "submit" | "button" | "reset" | "image" => false,
            _ => i.value() != i.default_value(),
        };
    }
    if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        return t.default_value().is_ok_and(|d| t.value() != d);
    }
    if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
        let options = s.options();
        return (0..options.length()).any(|k| {
            options
                .item(k)
                .and_then(|o| o.dyn_into::<web_sys::HtmlOptionElement>().ok())
                .is_some_and(|o| o.selected() != o.default_selected())
        });
    }
    false
}

fn note(given: &mut Vec<(Element, Given)>, el: &Element) {
    let Some(state) = state_of(el) else { return };
    // A radio's siblings change with it: note the whole group by noting each.
    match given.iter_mut().find(|(e, _)| e == el) {
        Some((_, g)) => *g = state,
        None => given.push((el.clone(), state)),
    }
}

impl EarlyInput {
    /// Starts noting: call before hydration begins.
    pub fn start() -> EarlyInput {
        let given = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let document = leptos::prelude::document();
        if let Ok(fields) = document.query_selector_all("input, textarea, select") {
            for k in 0..fields.length() {
                if let Some(el) = fields.item(k).and_then(|n| n.dyn_into::<Element>().ok()) {
                    if changed_from_markup(&el) {
                        note(&mut given.borrow_mut(), &el);
                    }
                }
            }
        }
        let sink = given.clone();
        let listener = Closure::<dyn FnMut(Event)>::new(move |ev: Event| {
            // (Hydration sets values without events, and `restore` runs after this
            // listener is gone: every event here is the person's, or a tool acting for them.)
            let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            let mut given = sink.borrow_mut();
            if el.get_attribute("type").as_deref() == Some("radio") {
                if let (Some(name), Some(form)) =
                    (el.get_attribute("name"), el.closest("form").ok().flatten())
                {
                    if let Ok(group) =
                        form.query_selector_all(&format!("input[type=radio][name=\"{name}\"]"))
                    {
                        for k in 0..group.length() {
                            if let Some(r) =
                                group.item(k).and_then(|n| n.dyn_into::<Element>().ok())
                            {
                                note(&mut given, &r);
                            }
                        }
                    }
                }
            }
            note(&mut given, &el);
        });
        for event in ["input", "change"] {
            let _ = document.add_event_listener_with_callback_and_bool(
                event,
                listener.as_ref().unchecked_ref(),
                true,
            );
        }
        EarlyInput { given, listener }
    }

    /// Hydration is over: gives back every noted value the page lost, then stops noting.
    /// Hydration's own effects (`prop:value`) run a moment after it resolves, so the
    /// values are given back after a turn of the event loop, and once more a little later
    /// for parts that hydrate after that (Suspense); what the person types meanwhile is
    /// still noted, so a pass never undoes it.
    pub async fn restore(self) {
        for wait_ms in [0, 60] {
            sleep(wait_ms).await;
            self.give_back();
        }
        let document = leptos::prelude::document();
        for event in ["input", "change"] {
            let _ = document.remove_event_listener_with_callback_and_bool(
                event,
                self.listener.as_ref().unchecked_ref(),
                true,
            );
        }
    }

    fn give_back(&self) {
        let given = self.given.borrow().clone();
        for (el, was) in given {
            if !el.is_connected() || state_of(&el).as_ref() == Some(&was) {
                continue;
            }
            match (&was, el.dyn_ref::<HtmlInputElement>()) {
                (Given::Ticked(t), Some(i)) => i.set_checked(*t),
                (Given::Text(v), Some(i)) => i.set_value(v),
                (Given::Text(v), None) => {
                    if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
                        t.set_value(v);
                    } else if let Some(s) = el.dyn_ref::<HtmlSelectElement>() {
                        s.set_value(v);
                    }
                }
                _ => {}
            }
            let init = EventInit::new();
            init.set_bubbles(true);
            for event in ["input", "change"] {
                if let Ok(e) = Event::new_with_event_init_dict(event, &init) {
                    let _ = el.dispatch_event(&e);
                }
            }
        }
    }
}

/// Waits `ms` milliseconds (a macrotask: every pending microtask and effect runs first).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| match web_sys::window() {
        Some(w) => {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
        None => {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
