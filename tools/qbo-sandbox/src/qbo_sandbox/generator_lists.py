"""The name lists every generated company starts with: terms, items, payment methods.

Items carry the fields client libraries read (python-quickbooks' `Item`, Intuit's SDKs):
Description, Taxable, SalesTaxIncluded, PurchaseCost, TrackQtyOnHand, account refs and,
for inventory, QtyOnHand, InvStartDate and AssetAccountRef.
"""

from __future__ import annotations

from typing import Any

from .generator_lines import SaleItem, dollars

Entity = dict[str, Any]
TERMS = (("1", "Due on receipt", 0), ("2", "Net 15", 15), ("3", "Net 30", 30),
         ("4", "Net 60", 60))
# (id, name, price in cents, taxable, type)
ITEMS = (("1", "Consulting", 15000, False, "Service"),
         ("2", "Design work", 9500, False, "Service"),
         ("3", "Installation", 6000, False, "Service"),
         ("4", "Maintenance plan", 4500, False, "Service"),
         ("5", "Rock Fountain", 27500, True, "Inventory"),
         ("6", "Pump", 1575, True, "Inventory"),
         ("7", "Sprinkler Heads", 200, True, "NonInventory"),
         ("8", "Lighting", 3250, True, "NonInventory"),
         ("9", "Hours", 8500, False, "Service"))
SALE_ITEMS = tuple(SaleItem(i[0], i[1], i[2], i[3]) for i in ITEMS)
PAYMENT_METHODS = (("1", "Cash", "NON_CREDIT_CARD"), ("2", "Check", "NON_CREDIT_CARD"),
                   ("3", "Credit Card", "CREDIT_CARD"), ("4", "ACH", "NON_CREDIT_CARD"),
                   ("5", "Visa", "CREDIT_CARD"), ("6", "MasterCard", "CREDIT_CARD"),
                   ("7", "American Express", "CREDIT_CARD"))
INCOME = {"value": "79", "name": "Sales of Product Income"}
SERVICES = {"value": "1", "name": "Services"}
COGS = {"value": "80", "name": "Cost of Goods Sold"}
INVENTORY_ASSET = {"value": "81", "name": "Inventory Asset"}


def meta(created: str, updated: str | None = None) -> dict[str, str]:
    """MetaData with both times (updated defaults to created)."""
    return {"CreateTime": created, "LastUpdatedTime": updated or created}


def term(row: tuple[str, str, int], created: str) -> Entity:
    """A STANDARD term (Net N)."""
    return {"Id": row[0], "SyncToken": "0", "domain": "QBO", "sparse": False, "Name": row[1],
            "Active": True, "Type": "STANDARD", "DueDays": row[2], "MetaData": meta(created)}


def item(row: tuple[str, str, int, bool, str], created: str, start_date: str) -> Entity:
    """A Service, Inventory or NonInventory item with the fields SDK models declare."""
    item_id, name, cents, taxable, kind = row
    entity: Entity = {
        "Id": item_id, "SyncToken": "0", "domain": "QBO", "sparse": False, "Name": name,
        "Description": f"{name} ({kind.lower()})", "Active": True, "SubItem": False,
        "FullyQualifiedName": name, "Taxable": taxable, "SalesTaxIncluded": False,
        "UnitPrice": dollars(cents), "Type": kind, "Sku": f"SKU-{int(item_id):04d}",
        "IncomeAccountRef": SERVICES if kind == "Service" else INCOME,
        "PurchaseTaxIncluded": False, "PurchaseCost": dollars(cents * 6 // 10),
        "TrackQtyOnHand": kind == "Inventory", "MetaData": meta(created)}
    if kind != "Service":
        entity["ExpenseAccountRef"] = COGS
        entity["PurchaseDesc"] = f"{name}, bought in"
    if kind == "Inventory":
        entity.update(QtyOnHand=100 + int(item_id), InvStartDate=start_date,
                      AssetAccountRef=INVENTORY_ASSET)
    return entity


def payment_method(row: tuple[str, str, str], created: str) -> Entity:
    """Cash, Check, Credit Card, ACH and the card brands of a new QBO company."""
    return {"Id": row[0], "SyncToken": "0", "domain": "QBO", "sparse": False, "Name": row[1],
            "Active": True, "Type": row[2], "MetaData": meta(created)}
