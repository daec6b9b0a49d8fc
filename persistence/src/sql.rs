//! Statements written as SQL text that each connection prepares once and keeps.
//!
//! `diesel::sql_query` marks its statement unsafe to cache, so diesel-async prepares it
//! anew on every call: one round trip to parse it and another to run it, and PostgreSQL
//! plans it each time. For the statements of the hot paths (the obligations a transition
//! keeps, the alert list, the audit chain's lock) that planning cost more than running
//! them. [`prepared`] takes the same text and binds, but the statement is kept in the
//! connection's cache under its text, so a later call only binds and executes, and
//! PostgreSQL may keep a generic plan.
//!
//! Only texts from a small, fixed set may go through it (constants, or a few variants
//! built from flags): each distinct text stays prepared on every pooled connection. A kept
//! statement names its result columns rather than `t.*`: PostgreSQL refuses to run a
//! prepared statement whose result columns a migration has changed since.

use std::borrow::Cow;
use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::Error as DieselError;
use diesel::serialize::ToSql;
use diesel::sql_types::{HasSqlType, Untyped};

/// A statement of SQL text with `$1`, `$2`, … placeholders and the values they stand for.
/// A placeholder may occur more than once; each occurrence sends its value again.
pub struct Prepared<'a> {
    sql: Cow<'static, str>,
    binds: Vec<Box<dyn Param + Send + 'a>>,
}

/// A statement that is prepared once per connection: see the module's documentation.
pub fn prepared<'a>(sql: impl Into<Cow<'static, str>>) -> Prepared<'a> {
    Prepared {
        sql: sql.into(),
        binds: Vec::new(),
    }
}

impl<'a> Prepared<'a> {
    /// Binds the next placeholder (`$1` first) to `value` as SQL type `ST`.
    pub fn bind<ST, T>(mut self, value: T) -> Prepared<'a>
    where
        Pg: HasSqlType<ST>,
        T: ToSql<ST, Pg> + Send + 'a,
        ST: 'a,
    {
        self.binds.push(Box::new(Bound::<ST, T> {
            value,
            sql_type: PhantomData,
        }));
        self
    }
}

trait Param {
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
}

struct Bound<ST, T> {
    value: T,
    sql_type: PhantomData<fn() -> ST>,
}

impl<ST, T> Param for Bound<ST, T>
where
    Pg: HasSqlType<ST>,
    T: ToSql<ST, Pg>,
{
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_bind_param::<ST, T>(&self.value)
    }
}

/// The text split at its placeholders: `(text before, placeholder number)`, and the tail.
/// It is split on every execution (the statement's text is written for each), so the `$`
/// are found with `str::find`, which skips the text between them in blocks.
fn pieces(sql: &str) -> (Vec<(&str, usize)>, &str) {
    let mut out = Vec::new();
    let (mut start, mut from) = (0, 0);
    while let Some(at) = sql[from..].find('$').map(|i| from + i) {
        let digits = sql[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            from = at + 1;
            continue;
        }
        let end = at + 1 + digits;
        let n = sql[at + 1..end].parse().unwrap_or(0);
        out.push((&sql[start..at], n));
        start = end;
        from = end;
    }
    (out, &sql[start..])
}

impl QueryFragment<Pg> for Prepared<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let (parts, tail) = pieces(&self.sql);
        for (text, n) in parts {
            out.push_sql(text);
            let bind = n
                .checked_sub(1)
                .and_then(|i| self.binds.get(i))
                .ok_or_else(|| {
                    DieselError::QueryBuilderError(
                        format!("placeholder ${n} has no bound value").into(),
                    )
                })?;
            bind.push(&mut out)?;
        }
        out.push_sql(tail);
        Ok(())
    }
}

impl QueryId for Prepared<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Prepared<'_> {
    type SqlType = Untyped;
}

/// [`prepared`] with the SQL types of its result known, so that rows are read by position
/// into a `Queryable` type (a `Selectable` struct, a tuple) rather than by column name.
/// Its text is usually [`frozen`] from a statement of the query builder.
pub struct Typed<'a, ST> {
    inner: Prepared<'a>,
    sql_type: PhantomData<fn() -> ST>,
}

/// A [`Typed`] statement of `sql`, whose result has the SQL types `ST`.
pub fn typed<'a, ST>(sql: impl Into<Cow<'static, str>>) -> Typed<'a, ST> {
    Typed {
        inner: prepared(sql),
        sql_type: PhantomData,
    }
}

impl<'a, ST> Typed<'a, ST> {
    /// Binds the next placeholder (`$1` first) to `value` as SQL type `BT`.
    pub fn bind<BT, T>(self, value: T) -> Typed<'a, ST>
    where
        Pg: HasSqlType<BT>,
        T: ToSql<BT, Pg> + Send + 'a,
        BT: 'a,
    {
        Typed {
            inner: self.inner.bind::<BT, T>(value),
            sql_type: PhantomData,
        }
    }
}

impl<ST> QueryFragment<Pg> for Typed<'_, ST> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.inner.walk_ast(out)
    }
}

impl<ST> QueryId for Typed<'_, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST> Query for Typed<'_, ST> {
    type SqlType = ST;
}

/// The text of a statement of the query builder, with its `$1`, `$2`, … placeholders, for a
/// [`typed`] statement kept in a `LazyLock`. diesel-async writes a statement's text again
/// on every execution, even when the connection has it prepared; for the query builder's
/// statements that is every column and table name quoted anew. A hot statement whose text
/// never changes is written once this way and sent as [`typed`], which copies the text.
pub fn frozen(query: &impl QueryFragment<Pg>) -> Result<String, String> {
    use diesel::query_builder::QueryBuilder;
    let mut builder = diesel::pg::PgQueryBuilder::default();
    query
        .to_sql(&mut builder, &Pg)
        .map_err(|e| format!("a statement's text: {e}"))?;
    Ok(builder.finish())
}

/// A filter of `column` to some ids, as placeholder `$n`, and the statement with its bind:
/// `column = $n` for one id, `column = ANY($n)` for several, nothing for `None` (every
/// row). PostgreSQL estimates `= ANY($n)` of a parameter at ten elements, so the generic
/// plan of a statement that usually gets one id looks dearer than its custom plan, and
/// the statement would be planned anew on every execution; with `=` it keeps one plan.
pub fn ids_filter(column: &str, n: usize, ids: Option<&[uuid::Uuid]>) -> String {
    match ids {
        None => String::new(),
        Some([_]) => format!(" AND {column} = ${n}"),
        Some(_) => format!(" AND {column} = ANY(${n})"),
    }
}

impl<'a> Prepared<'a> {
    /// Binds the ids of an [`ids_filter`] (nothing for `None`).
    pub fn bind_ids(self, ids: Option<&'a [uuid::Uuid]>) -> Prepared<'a> {
        use diesel::sql_types::{Array, Uuid};
        match ids {
            None => self,
            Some([one]) => self.bind::<Uuid, _>(one),
            Some(many) => self.bind::<Array<Uuid>, _>(many),
        }
    }
}

/// `column = $n` when `values` holds one value, `column = ANY($n)` otherwise: diesel's
/// `eq_any` for the query builder, with the plan kept for the one-value case (see
/// [`ids_filter`]). A statement that reads one case's extras and the page that reads twenty
/// then each keep a plan.
pub fn one_or_any<C, T>(column: C, values: &[T]) -> OneOrAny<'_, C, T> {
    OneOrAny { column, values }
}

/// See [`one_or_any`].
#[derive(Debug, Clone, Copy)]
pub struct OneOrAny<'a, C, T> {
    column: C,
    values: &'a [T],
}

impl<C, T> diesel::Expression for OneOrAny<'_, C, T> {
    type SqlType = diesel::sql_types::Bool;
}

impl<C: diesel::expression::ValidGrouping<()>, T> diesel::expression::ValidGrouping<()>
    for OneOrAny<'_, C, T>
{
    type IsAggregate = C::IsAggregate;
}

impl<QS, C: diesel::AppearsOnTable<QS>, T> diesel::AppearsOnTable<QS> for OneOrAny<'_, C, T> {}

impl<QS, C: diesel::SelectableExpression<QS>, T> diesel::SelectableExpression<QS>
    for OneOrAny<'_, C, T>
{
}

impl<C, T> QueryId for OneOrAny<'_, C, T> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, T> QueryFragment<Pg> for OneOrAny<'_, C, T>
where
    C: diesel::Expression + QueryFragment<Pg>,
    C::SqlType: 'static,
    Pg: HasSqlType<C::SqlType>,
    T: ToSql<C::SqlType, Pg>,
    [T]: ToSql<diesel::sql_types::Array<C::SqlType>, Pg>,
    Pg: HasSqlType<diesel::sql_types::Array<C::SqlType>>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        if let [one] = self.values {
            out.push_sql(" = ");
            out.push_bind_param::<C::SqlType, T>(one)
        } else {
            out.push_sql(" = ANY(");
            out.push_bind_param::<diesel::sql_types::Array<C::SqlType>, [T]>(self.values)?;
            out.push_sql(")");
            Ok(())
        }
    }
}

/// A query built with diesel's DSL, kept prepared like [`prepared`]'s. Diesel marks every
/// `UPDATE`, upsert and batch `INSERT` unsafe to cache, since the text of some of them varies
/// without bound (a changeset skipping its `None` fields, a batch of any size). Wrap only a
/// query whose text is one of a few: a changeset that writes every field, one row.
pub struct Cached<Q>(pub Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Cached<Q> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(out)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Cached<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Cached<Q> {
    type SqlType = Q::SqlType;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_outside_json_paths() {
        let (parts, tail) = pieces("SELECT $1, '$[*] ? (@.x != null)', $12 WHERE a = $1");
        let found: Vec<usize> = parts.iter().map(|p| p.1).collect();
        assert_eq!(found, vec![1, 12, 1]);
        assert_eq!(parts[1].0, ", '$[*] ? (@.x != null)', ");
        assert_eq!(tail, "");
        assert_eq!(pieces("SELECT 1").1, "SELECT 1");
    }

    #[test]
    fn the_text_numbers_every_occurrence_in_turn() {
        let q = prepared("SELECT $1 + $2 + $1")
            .bind::<diesel::sql_types::Integer, _>(1)
            .bind::<diesel::sql_types::Integer, _>(2);
        assert!(q.is_safe_to_cache_prepared(&Pg).unwrap_or(false));
        let text = diesel::debug_query::<Pg, _>(&q).to_string();
        assert!(
            text.starts_with("SELECT $1 + $2 + $3 -- binds: [1, 2, 1]"),
            "{text}"
        );
        let missing = prepared("SELECT $2").bind::<diesel::sql_types::Integer, _>(1);
        let mut builder = diesel::pg::PgQueryBuilder::default();
        assert!(missing.to_sql(&mut builder, &Pg).is_err());
    }
}
