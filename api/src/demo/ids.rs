//! Fixed ids of the demo data.
//!
//! The contract's examples name organisations, accounts, windows, matters and cases by id. With
//! these ids a server loaded with `zhengwu demo` has every object an example names, so that an
//! example sent as it is (Swagger UI's "Try it out") is accepted. They are UUID version 7 with
//! the time of 2025-01-01T00:00:00Z: the kind of object in the 12 bits after the version and
//! its number in the last digits, e.g. `01941f29-7c00-7001-8000-000000000001`, the city.
//! Objects of a kind sort in the order the demo creates them.

use uuid::Uuid;

/// 2025-01-01T00:00:00Z in milliseconds, the time part of every demo id.
const EPOCH_MS: u128 = 0x0194_1f29_7c00;

pub const ORGANIZATION: u16 = 1;
pub const USER: u16 = 2;
pub const WINDOW: u16 = 3;
pub const MATTER: u16 = 4;
pub const CASE: u16 = 5;
pub const ORDER: u16 = 6;
pub const TICKET: u16 = 7;

/// The `n`th demo object (from 1) of a `kind`.
pub const fn demo_id(kind: u16, n: u16) -> Uuid {
    Uuid::from_u128(
        (EPOCH_MS << 80) | (0x7 << 76) | ((kind as u128 & 0xfff) << 64) | (0b10 << 62) | n as u128,
    )
}

/// 济南市人民政府 (the city; the first of the demo organisations).
pub const CITY: Uuid = demo_id(ORGANIZATION, 1);
/// 济南市行政审批服务局.
pub const CITY_SERVICES: Uuid = demo_id(ORGANIZATION, 3);
/// 济南市市场监督管理局.
pub const CITY_MARKET: Uuid = demo_id(ORGANIZATION, 4);
/// 济南市政务服务中心 (the city hall).
pub const CITY_HALL: Uuid = demo_id(ORGANIZATION, 5);
/// 历下区人民政府.
pub const LIXIA: Uuid = demo_id(ORGANIZATION, 6);

/// `city.clerk.a`, 王芳, at the city hall.
pub const CITY_CLERK_A: Uuid = demo_id(USER, 5);
/// `city.clerk.b`, 李明, at the city hall.
pub const CITY_CLERK_B: Uuid = demo_id(USER, 6);
/// `city.clerk.c`, 周婷, at the city hall.
pub const CITY_CLERK_C: Uuid = demo_id(USER, 7);

/// `city.services.reviewer`, 刘洋, a reviewer of 济南市行政审批服务局.
pub const CITY_SERVICES_REVIEWER: Uuid = demo_id(USER, 19);
/// `zhang.san`, 张三, an applicant (natural person).
pub const ZHANG_SAN: Uuid = demo_id(USER, 20);

/// Window A01 (综合受理窗口) of the city hall.
pub const CITY_WINDOW_A01: Uuid = demo_id(WINDOW, 1);

/// 建筑工程施工许可, published by 济南市行政审批服务局.
pub const MATTER_CONSTRUCTION_PERMIT: Uuid = demo_id(MATTER, 1);

/// The demo case received and not yet accepted at the city hall.
pub const CASE_SUBMITTED: Uuid = demo_id(CASE, 1);
/// The demo case past its due date, under a supervision order.
pub const CASE_OVERDUE: Uuid = demo_id(CASE, 8);

/// The supervision order on [`CASE_OVERDUE`].
pub const ORDER_OVERDUE_CASE: Uuid = demo_id(ORDER, 1);

/// The 12345 ticket dispatched to 历下区 about a water outage.
pub const TICKET_DISPATCHED: Uuid = demo_id(TICKET, 2);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_7_and_read_as_documented() {
        assert_eq!(CITY.to_string(), "01941f29-7c00-7001-8000-000000000001");
        assert_eq!(CITY.get_version_num(), 7);
        assert_eq!(
            CITY_WINDOW_A01.to_string(),
            "01941f29-7c00-7003-8000-000000000001"
        );
        assert!(demo_id(USER, 1) < demo_id(USER, 2));
        assert!(demo_id(ORGANIZATION, 200) < demo_id(USER, 1));
    }
}
