//! Validated scalar types: each rejects out-of-range values with a message that shows what was given.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

macro_rules! int_newtype {
    ($name:ident, $min:expr, $what:literal) => {
        #[doc = concat!("An integer that must be ", $what, ".")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub usize);

        impl $name {
            pub fn get(self) -> usize {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(IntVisitor { min: $min, what: $what }).map($name)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u64(self.0 as u64)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

int_newtype!(PositiveInt, 1, "a positive integer");
int_newtype!(NonNegInt, 0, "a non-negative integer");

struct IntVisitor {
    min: i128,
    what: &'static str,
}

impl IntVisitor {
    fn check<E: de::Error>(&self, v: i128) -> Result<usize, E> {
        if v < self.min || v > usize::MAX as i128 {
            Err(E::custom(format!("expected {}, got {v}", self.what)))
        } else {
            Ok(v as usize)
        }
    }
}

impl<'de> Visitor<'de> for IntVisitor {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<usize, E> {
        self.check(v as i128)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
        self.check(v as i128)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<usize, E> {
        if v.fract() == 0.0 && v.is_finite() && v.abs() < 9.0e15 {
            self.check(v as i128)
        } else {
            Err(E::custom(format!("expected {}, got {v}", self.what)))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        Err(E::custom(format!("expected {}, got \"{v}\"", self.what)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<usize, E> {
        Err(E::custom(format!("expected {}, got {v}", self.what)))
    }
}

macro_rules! float_newtype {
    ($name:ident, $ok:expr, $what:literal) => {
        #[doc = concat!("A finite number that must be ", $what, ".")]
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
        pub struct $name(pub f64);

        impl $name {
            pub fn get(self) -> f64 {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let ok: fn(f64) -> bool = $ok;
                d.deserialize_any(FloatVisitor { ok, what: $what }).map($name)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_f64(self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

float_newtype!(PositiveFloat, |v| v > 0.0, "a positive number");
float_newtype!(NonNegFloat, |v| v >= 0.0, "a non-negative number");
float_newtype!(UnitFloat, |v| (0.0..=1.0).contains(&v), "a number in [0, 1]");

struct FloatVisitor {
    ok: fn(f64) -> bool,
    what: &'static str,
}

impl FloatVisitor {
    fn check<E: de::Error>(&self, v: f64) -> Result<f64, E> {
        if v.is_finite() && (self.ok)(v) {
            Ok(v)
        } else {
            Err(E::custom(format!("expected {}, got {v}", self.what)))
        }
    }
}

impl<'de> Visitor<'de> for FloatVisitor {
    type Value = f64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        self.check(v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        self.check(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        self.check(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        Err(E::custom(format!("expected {}, got \"{v}\"", self.what)))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<f64, E> {
        Err(E::custom(format!("expected {}, got {v}", self.what)))
    }
}

/// A value or a list of values (a sweep axis): `lr: 1e-3` or `lr: [2e-4, 1e-3]`.
#[derive(Debug, Clone, PartialEq)]
pub struct OneOrMany<T>(pub Vec<T>);

impl<T> OneOrMany<T> {
    pub fn values(&self) -> &[T] {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Through a Value rather than an untagged enum, which would hide the inner error.
        let v = serde_yaml::Value::deserialize(d)?;
        let out = match v {
            serde_yaml::Value::Sequence(items) => {
                if items.is_empty() {
                    return Err(de::Error::custom("expected a value or a non-empty list, got []"));
                }
                items.into_iter().map(T::deserialize).collect::<Result<Vec<T>, _>>()
            }
            other => T::deserialize(other).map(|x| vec![x]),
        };
        out.map(OneOrMany).map_err(de::Error::custom)
    }
}

impl<T: Serialize> Serialize for OneOrMany<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.len() == 1 {
            self.0[0].serialize(s)
        } else {
            self.0.serialize(s)
        }
    }
}
