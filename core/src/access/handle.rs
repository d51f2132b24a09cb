//! Ids resolved once, for many checks: a host that checks the signed-in
//! person again and again (every menu item of a page) resolves the person,
//! capabilities and node once and skips the id lookups on each check.
//!
//! Invariant: a handle borrows the network it came from, so the network
//! cannot change while the handle lives (its index stays the same entity);
//! a handle from another network is refused, not misread.

use chrono::{DateTime, Utc};

use super::{AccessError, Decision};
use crate::network::Network;

/// A known person of a network, resolved by [`Network::person_handle`].
#[derive(Debug, Clone, Copy)]
pub struct PersonHandle<'a> {
    net: &'a Network,
    /// The person's id, kept here so a check never reads the person's
    /// record (a cache miss of its own on random queries) to explain a deny.
    id: &'a str,
    ix: u32,
    /// The slot of the person's card in the people table.
    slot: u32,
}

/// A capability of a network's policy, resolved by [`Network::capability_handle`].
#[derive(Debug, Clone, Copy)]
pub struct CapabilityHandle<'a> {
    net: &'a Network,
    ix: u8,
}

/// A node of a network, resolved by [`Network::node_handle`].
#[derive(Debug, Clone, Copy)]
pub struct NodeHandle<'a> {
    net: &'a Network,
    ix: u32,
}

impl<'a> PersonHandle<'a> {
    /// The person's id.
    pub fn id(&self) -> &'a str {
        self.id
    }
}

impl<'a> CapabilityHandle<'a> {
    /// The capability's name.
    pub fn name(&self) -> &'a str {
        self.net
            .access
            .policy
            .capabilities
            .get(self.ix as usize)
            .map(|c| c.name.as_str())
            .unwrap_or_default()
    }
}

impl<'a> NodeHandle<'a> {
    /// The node's id.
    pub fn id(&self) -> &'a str {
        self.net
            .at(self.ix)
            .map(|n| n.id.as_str())
            .unwrap_or_default()
    }
}

impl Network {
    /// The person with this id, for [`Network::check_handles`]; `None` for
    /// an unknown person (whom [`Network::check`] denies).
    pub fn person_handle(&self, id: &str) -> Option<PersonHandle<'_>> {
        let people = &self.access.ix.people;
        let ix = people.get(id)?;
        let slot = people.slot(ix)?;
        let id = self.access.person_at(ix)?.id.as_str();
        Some(PersonHandle {
            net: self,
            id,
            ix,
            slot,
        })
    }

    /// The capability with this name, for [`Network::check_handles`].
    pub fn capability_handle(&self, name: &str) -> Result<CapabilityHandle<'_>, AccessError> {
        let ix = self
            .access
            .compiled
            .cap(name)
            .ok_or_else(|| AccessError::UnknownCapability(name.to_owned()))?;
        Ok(CapabilityHandle { net: self, ix })
    }

    /// The node with this id, for [`Network::check_handles`].
    pub fn node_handle(&self, id: &str) -> Result<NodeHandle<'_>, AccessError> {
        let ix = self
            .access
            .node_ix(self, id)
            .ok_or_else(|| AccessError::UnknownNode(id.to_owned()))?;
        Ok(NodeHandle { net: self, ix })
    }

    /// [`Network::check`] with resolved ids: the same decision and
    /// explanation, without the three id lookups. A handle from another
    /// network is an error naming its id.
    ///
    /// ```
    /// use chapterhouse::{Actor, Network, Op};
    /// let now = "2026-01-01T00:00:00Z".parse().unwrap();
    /// let mut net = Network::new("org".parse()?, "Org", "org".parse()?, now)?;
    /// for op in [
    ///     r#"{"op":"add_region","id":"ne","parent":"org","name":"Northeast","slug":"ne"}"#,
    ///     r#"{"op":"set_person","id":"p-1","name":"Ana"}"#,
    ///     r#"{"op":"grant","id":"g-1","person":"p-1","role":"regional_coordinator","scope":{"node":"ne"}}"#,
    /// ] {
    ///     net.apply(serde_json::from_str::<Op>(op)?, &Actor::Host, now)?;
    /// }
    /// let who = net.person_handle("p-1").unwrap();
    /// let ne = net.node_handle("ne")?;
    /// for cap in ["chapter.approve", "policy.edit"] {
    ///     let d = net.check_handles(who, net.capability_handle(cap)?, ne, now)?;
    ///     assert_eq!(d.to_string(), net.check("p-1", cap, "ne", now)?.to_string());
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_handles<'a>(
        &'a self,
        person: PersonHandle<'a>,
        capability: CapabilityHandle<'a>,
        node: NodeHandle<'a>,
        now: DateTime<Utc>,
    ) -> Result<Decision<'a>, AccessError> {
        if !std::ptr::eq(person.net, self) {
            return Err(AccessError::UnknownPerson(person.id().to_owned()));
        }
        if !std::ptr::eq(capability.net, self) {
            return Err(AccessError::UnknownCapability(capability.name().to_owned()));
        }
        if !std::ptr::eq(node.net, self) {
            return Err(AccessError::UnknownNode(node.id().to_owned()));
        }
        let person_id = person.id;
        self.access
            .decide_found(
                self,
                person_id,
                Some(person.ix),
                self.access.ix.people.one_in(person.slot),
                capability.ix,
                node.ix,
                now,
            )
            .ok_or_else(|| AccessError::UnknownNode(node.id().to_owned()))
    }
}
