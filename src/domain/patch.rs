//! `Patch<T>`: one field of a PATCH body. Absent leaves the value as it is, `null` clears it,
//! a value sets it. Serde alone cannot tell absent from `null` in an `Option`, so a field is
//! declared `#[serde(default)] field: Patch<T>`: absent → `Default` (unchanged), present →
//! this type's deserializer (`null` → clear, value → set).

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Unchanged,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    /// The new value of an optional field: `None` = unchanged, `Some(None)` = cleared.
    pub fn into_change(self) -> Option<Option<T>> {
        match self {
            Patch::Unchanged => None,
            Patch::Clear => Some(None),
            Patch::Set(value) => Some(Some(value)),
        }
    }

    /// The new value of a field that cannot be cleared: `Err(Cleared)` for an explicit
    /// `null`, which the caller answers with a 422 naming the field.
    pub fn required(self) -> Result<Option<T>, Cleared> {
        match self {
            Patch::Unchanged => Ok(None),
            Patch::Clear => Err(Cleared),
            Patch::Set(value) => Ok(Some(value)),
        }
    }

    /// Applies the patch to an optional value.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        self.into_change().unwrap_or(current)
    }

    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }
}

/// An explicit `null` for a field that must keep a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cleared;

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.map_or(Patch::Clear, Patch::Set))
    }
}

// utoipa 5 builds the schema of a generic field type through `ComposeSchema` (what its derive
// emits for `Patch<Role>`); deriving `ToSchema` would describe the enum, not the wire shape,
// which is the inner type or `null`.
impl<T: utoipa::__dev::ComposeSchema> utoipa::__dev::ComposeSchema for Patch<T> {
    fn compose(generics: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        let inner = generics.into_iter().next().unwrap_or_else(|| T::compose(Vec::new()));
        OneOfBuilder::new().item(ObjectBuilder::new().schema_type(Type::Null)).item(inner).into()
    }
}

// The derive refers to a generic field type by `<name>_<argument>` (`Patch_Role`) and
// collects the schema under that name from here.
impl<T: utoipa::ToSchema + utoipa::__dev::ComposeSchema> utoipa::ToSchema for Patch<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Patch")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((format!("Patch_{}", T::name()), <Self as utoipa::__dev::ComposeSchema>::compose(Vec::new())));
        T::schemas(schemas);
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::Patch;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[serde(default)]
        note: Patch<String>,
    }

    fn parse(json: &str) -> Patch<String> {
        serde_json::from_str::<Body>(json).unwrap().note
    }

    #[test]
    fn absent_null_and_value_are_three_things() {
        assert_eq!(parse("{}"), Patch::Unchanged);
        assert_eq!(parse(r#"{"note": null}"#), Patch::Clear);
        assert_eq!(parse(r#"{"note": "hi"}"#), Patch::Set("hi".into()));
        assert!(serde_json::from_str::<Body>(r#"{"note": 5}"#).is_err());
    }

    #[test]
    fn a_patch_applies_to_the_current_value() {
        let current = Some("old".to_string());
        assert_eq!(Patch::Unchanged.apply(current.clone()), current);
        assert_eq!(Patch::<String>::Clear.apply(current.clone()), None);
        assert_eq!(Patch::Set("new".to_string()).apply(current), Some("new".into()));
        assert_eq!(Patch::<i64>::Clear.required(), Err(super::Cleared));
        assert_eq!(Patch::Set(1).required(), Ok(Some(1)));
    }
}
