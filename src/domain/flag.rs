//! `Flag`: a boolean column. Neither SQLite's `BOOLEAN` nor a portable boolean crosses sqlx's
//! `Any` driver, so flags are stored as 0/1 integers (`INTEGER` in SQLite, `BIGINT` in
//! PostgreSQL) and decoded here, once: any non-zero value is set.

use sqlx::any::{AnyTypeInfo, AnyValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Any, Database, Decode, Encode, Type};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = bool)]
pub struct Flag(pub bool);

impl Flag {
    pub fn get(self) -> bool {
        self.0
    }
}

impl From<bool> for Flag {
    fn from(value: bool) -> Self {
        Self(value)
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> Self {
        flag.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(ty) || <i32 as Type<Any>>::compatible(ty) || <bool as Type<Any>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Any> for Flag {
    fn encode_by_ref(&self, buf: &mut <Any as Database>::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <i64 as Encode<'q, Any>>::encode_by_ref(&i64::from(self.0), buf)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Self(<i64 as Decode<'r, Any>>::decode(value)? != 0))
    }
}

#[cfg(test)]
mod tests {
    use super::Flag;

    #[test]
    fn a_flag_is_a_json_boolean() {
        assert_eq!(serde_json::to_string(&Flag(true)).unwrap(), "true");
        assert_eq!(serde_json::from_str::<Flag>("false").unwrap(), Flag(false));
        assert!(bool::from(Flag::from(true)));
    }
}
