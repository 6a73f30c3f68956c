//! Locations: the rules for a place's fields (lengths, coordinate ranges, coordinates in
//! pairs), checked all at once so a form can show every problem in one answer.

use crate::error::FieldError;

pub const NAME_MAX: usize = 200;
pub const ADDRESS_MAX: usize = 1_000;
pub const CATEGORY_MAX: usize = 60;
pub const NOTES_MAX: usize = 10_000;

/// A location's fields as the user gave them (create) or as a patch left them (update).
#[derive(Debug, Clone, PartialEq)]
pub struct LocationFields {
    pub name: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub category: String,
    pub notes: String,
}

/// Collects field problems; an empty list means the value is acceptable.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), message: message.into() });
    }

    /// A text length in characters (not bytes: a limit a person can count).
    pub fn length(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let count = value.chars().count();
        if count < min {
            self.add(
                field,
                if min == 1 { "is required".to_string() } else { format!("needs at least {min} characters") },
            );
        } else if count > max {
            self.add(field, format!("must be at most {max} characters"));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() { Ok(()) } else { Err(self.0) }
    }
}

impl LocationFields {
    /// Trims the name (surrounding blanks are never meant) and checks every field.
    pub fn validate(mut self) -> Result<Self, Vec<FieldError>> {
        self.name = self.name.trim().to_string();
        let mut problems = Problems::default();
        problems.length("name", &self.name, 1, NAME_MAX);
        problems.length("address", &self.address, 0, ADDRESS_MAX);
        problems.length("category", &self.category, 0, CATEGORY_MAX);
        problems.length("notes", &self.notes, 0, NOTES_MAX);
        if let Some(lat) = self.latitude.filter(|l| !(-90.0..=90.0).contains(l)) {
            problems.add("latitude", format!("must be between -90 and 90 (got {lat})"));
        }
        if let Some(lon) = self.longitude.filter(|l| !(-180.0..=180.0).contains(l)) {
            problems.add("longitude", format!("must be between -180 and 180 (got {lon})"));
        }
        // A single coordinate names no place: both or neither.
        match (self.latitude, self.longitude) {
            (Some(_), None) => problems.add("longitude", "give both latitude and longitude, or neither"),
            (None, Some(_)) => problems.add("latitude", "give both latitude and longitude, or neither"),
            _ => {}
        }
        problems.into_result().map(|()| self)
    }
}

#[cfg(test)]
mod tests {
    use super::LocationFields;

    fn fields(lat: Option<f64>, lon: Option<f64>) -> LocationFields {
        LocationFields {
            name: " Home ".into(),
            address: String::new(),
            latitude: lat,
            longitude: lon,
            category: String::new(),
            notes: String::new(),
        }
    }

    #[test]
    fn coordinates_come_in_pairs_and_in_range() {
        assert_eq!(fields(Some(1.0), Some(2.0)).validate().unwrap().name, "Home");
        assert!(fields(None, None).validate().is_ok());
        assert_eq!(fields(Some(1.0), None).validate().unwrap_err()[0].field, "longitude");
        let errors = fields(Some(91.0), Some(-181.0)).validate().unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["latitude", "longitude"]);
    }
}

/// `POST /api/locations`: a new location.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLocation {
    pub name: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl NewLocation {
    pub fn into_fields(self) -> LocationFields {
        LocationFields {
            name: self.name,
            address: self.address.unwrap_or_default(),
            latitude: self.latitude,
            longitude: self.longitude,
            category: self.category.unwrap_or_default(),
            notes: self.notes.unwrap_or_default(),
        }
    }
}

/// `PATCH /api/locations/{id}`: absent fields stay, `null` clears (not the name).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationPatch {
    #[serde(default)]
    pub name: crate::domain::patch::Patch<String>,
    #[serde(default)]
    pub address: crate::domain::patch::Patch<String>,
    #[serde(default)]
    pub latitude: crate::domain::patch::Patch<f64>,
    #[serde(default)]
    pub longitude: crate::domain::patch::Patch<f64>,
    #[serde(default)]
    pub category: crate::domain::patch::Patch<String>,
    #[serde(default)]
    pub notes: crate::domain::patch::Patch<String>,
}

impl LocationPatch {
    /// The fields after the patch; an explicit `null` name is refused with the others.
    pub fn apply(self, current: LocationFields) -> Result<LocationFields, Vec<FieldError>> {
        let mut problems = Problems::default();
        let name = if let Ok(name) = self.name.required() {
            name.unwrap_or(current.name)
        } else {
            problems.add("name", "is required");
            String::new()
        };
        let fields = LocationFields {
            name,
            address: self.address.apply(Some(current.address)).unwrap_or_default(),
            latitude: self.latitude.apply(current.latitude),
            longitude: self.longitude.apply(current.longitude),
            category: self.category.apply(Some(current.category)).unwrap_or_default(),
            notes: self.notes.apply(Some(current.notes)).unwrap_or_default(),
        };
        match (problems.into_result(), fields.validate()) {
            (Ok(()), result) => result,
            (Err(mut first), Err(more)) => {
                first.extend(more.into_iter().filter(|e| e.field != "name"));
                Err(first)
            }
            (Err(first), Ok(_)) => Err(first),
        }
    }
}
