//! What account and management handlers take from a request: the signed-in person (or a
//! redirect to sign in), where the request came from, and forms read with serde, with the form
//! token already checked. Also how a use case's refusal becomes a page.

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::Actor;
use charter_core::accounts::Action;
use charter_core::search::ParamError;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

use super::SignedIn;
use crate::WebError;

/// A form's fields in order, as sent: a body that is not a form reads as an empty one, so each
/// field's own message says what is missing.
pub(crate) fn form(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// The first value of a field, or empty.
pub(crate) fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

pub(crate) fn err(param: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        param: param.to_owned(),
        message: message.into(),
    }
}

/// Where a request came from, for the audit log ("unknown" when not served over a socket).
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

impl SignedIn {
    /// `Forbidden`, with the refusal for `action`, unless this person may do it.
    pub(crate) fn require(&self, action: Action) -> Result<(), WebError> {
        if charter_core::accounts::allowed(&self.principal(), action) {
            Ok(())
        } else {
            Err(WebError::Forbidden(action.refusal().to_owned()))
        }
    }

    /// This person as the actor of a use case, acting from `addr`.
    pub(crate) fn actor(&self, addr: &ClientAddr) -> Actor {
        Actor::user(&self.user, &addr.0)
    }
}

/// A signed-in person, for pages that need one; anyone else is sent to sign in.
pub(crate) struct Person(pub SignedIn);

impl<S: Send + Sync> FromRequestParts<S> for Person {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        match parts
            .extensions
            .get::<Option<SignedIn>>()
            .cloned()
            .flatten()
        {
            Some(who) => Ok(Person(who)),
            None => Err(to_sign_in()),
        }
    }
}

/// Where people who are not signed in are sent.
pub(crate) fn to_sign_in() -> Response {
    Redirect::to("/sign-in").into_response()
}

/// The form token must come back with every form a signed-in person sends.
pub(crate) fn check_form_token(who: &SignedIn, pairs: &[(String, String)]) -> Result<(), WebError> {
    if field(pairs, "csrf") == who.form_token {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            "This form has expired. Go back, reload the page and try again.".into(),
        ))
    }
}

/// Reads the signed-in person and the form's fields, the form token checked.
async fn signed_pairs<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<(SignedIn, Vec<(String, String)>), Response> {
    let (mut parts, body) = request.into_parts();
    let Person(who) = Person::from_request_parts(&mut parts, state).await?;
    let request = Request::from_parts(parts, body);
    let body = Bytes::from_request(request, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let pairs = form(&body);
    check_form_token(&who, &pairs).map_err(IntoResponse::into_response)?;
    Ok((who, pairs))
}

/// A form sent by a signed-in person, as its fields, its form token already checked.
pub(crate) struct SignedForm {
    pub who: SignedIn,
    pub pairs: Vec<(String, String)>,
}

impl<S: Send + Sync> FromRequest<S> for SignedForm {
    type Rejection = Response;
    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let (who, pairs) = signed_pairs(request, state).await?;
        Ok(SignedForm { who, pairs })
    }
}

/// A form sent by a signed-in person, read as `T`, its form token already checked.
pub(crate) struct Signed<T> {
    pub who: SignedIn,
    pub form: T,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Signed<T> {
    type Rejection = Response;
    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let (who, pairs) = signed_pairs(request, state).await?;
        let form = decode(pairs).map_err(IntoResponse::into_response)?;
        Ok(Signed { who, form })
    }
}

/// A form with nothing but its token, such as signing out.
#[derive(serde::Deserialize, Default)]
pub(crate) struct TokenOnly {}

/// A form from anyone, read as `T`.
pub(crate) struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = Response;
    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Form(
            decode(form(&body)).map_err(IntoResponse::into_response)?,
        ))
    }
}

/// Reads a form's fields as `T`: a field of type `Vec<String>` takes every value of its name
/// (checkboxes), any other the first, as the forms always have. `serde_urlencoded` alone refuses
/// a name given twice. Missing fields need `#[serde(default)]`.
fn decode<T: DeserializeOwned>(pairs: Vec<(String, String)>) -> Result<T, WebError> {
    let mut fields: Vec<(String, Values)> = Vec::new();
    for (k, v) in pairs {
        match fields.iter_mut().find(|(name, _)| *name == k) {
            Some((_, values)) => values.0.push(v),
            None => fields.push((k, Values(vec![v]))),
        }
    }
    T::deserialize(de::value::MapDeserializer::new(fields.into_iter()))
        .map_err(|e: de::value::Error| WebError::BadRequest(vec![err("form", e.to_string())]))
}

/// Every value sent under one name.
struct Values(Vec<String>);

impl<'de> IntoDeserializer<'de, de::value::Error> for Values {
    type Deserializer = Values;
    fn into_deserializer(self) -> Values {
        self
    }
}

impl<'de> de::Deserializer<'de> for Values {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_string(self.0.into_iter().next().unwrap_or_default())
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_seq(de::value::SeqDeserializer::new(self.0.into_iter()))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct tuple tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default, Debug, PartialEq)]
    #[serde(default)]
    struct Example {
        label: String,
        scope: Vec<String>,
        note: Option<String>,
    }

    fn pairs(body: &str) -> Vec<(String, String)> {
        form(&Bytes::from(body.to_owned()))
    }

    #[test]
    fn forms_read_first_values_and_every_checkbox() {
        let read: Example = decode(pairs("label=a+b&scope=x&label=c&scope=y&csrf=t")).unwrap();
        assert_eq!(
            read,
            Example {
                label: "a b".into(),
                scope: vec!["x".into(), "y".into()],
                note: None,
            }
        );
        let empty: Example = decode(pairs("\u{0}not a form%")).unwrap();
        assert_eq!(empty, Example::default());
        let noted: Example = decode(pairs("note=hi")).unwrap();
        assert_eq!(noted.note.as_deref(), Some("hi"));
    }
}
